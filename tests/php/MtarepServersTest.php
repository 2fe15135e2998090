<?php
// Against the ctest fixture's loopback servers: Knot (bind.test.zone) and
// the fault DNS server (behaviour by qname label). Skipped outside ctest.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;

final class MtarepServersTest extends TestCase
{
    private static function server(string $env): string
    {
        $addr = getenv($env);
        if ($addr === false || $addr === '') {
            self::markTestSkipped("$env not set (run through ctest)");
        }
        return $addr;
    }

    public function testKnotDnsbl(): void
    {
        $this->assertTrue(extension_loaded('mtarep'));
        $ctx = new MtarepContext(1000, 1);
        $ctx->add_nameserver(self::server('MTAREP_TEST_KNOT'));
        $res = $ctx->dnsbl_check(['192.0.2.10', '192.0.2.20'], ['bl.bind.test']);
        $this->assertSame(['listed', 'not_listed'], array_column($res, 'status'));
        $this->assertSame(['127.0.0.4'], $res[0]['codes']);
        $this->assertSame('192.0.2.10 listed by the bindings test', $res[0]['txt']);
        $this->assertSame(['10 mail.bind.test.'], $ctx->dns_lookup('bind.test', 'MX'));
    }

    public function testFaultsAreErrors(): void
    {
        $ctx = new MtarepContext(300, 0);
        $ctx->add_nameserver(self::server('MTAREP_TEST_FAULTDNS'));
        foreach (['servfail.fault.test', 'timeout.fault.test', 'garbage.fault.test'] as $zone) {
            $res = $ctx->dnsbl_check(['192.0.2.10'], [$zone]);
            $this->assertSame('error', $res[0]['status'], $zone);
            $this->assertLessThan(0, $res[0]['error_code'], $zone);
        }
        try {
            $ctx->dns_lookup('x.servfail.fault.test', 'A');
            $this->fail('no exception');
        } catch (MtarepTempFailException $e) {
            $this->assertNotInstanceOf(MtarepTimeoutException::class, $e);
            $this->assertSame(MTAREP_ETEMPFAIL, $e->getCode());
        }
        try {
            $ctx->dns_lookup('x.timeout.fault.test', 'A');
            $this->fail('no exception');
        } catch (MtarepTimeoutException $e) {
            $this->assertInstanceOf(MtarepTempFailException::class, $e);
            $this->assertSame(MTAREP_ETIMEOUT, $e->getCode());
            $this->assertNotSame('', $e->getMessage());
        }
    }
}
