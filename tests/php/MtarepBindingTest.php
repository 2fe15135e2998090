<?php
// PHP binding basics, answered from static zone text (no network). Run as
//   php -d extension=<build>/bindings/php/mtarep.so /usr/bin/phpunit tests/php
declare(strict_types=1);

use PHPUnit\Framework\TestCase;

final class MtarepBindingTest extends TestCase
{
    // Same data as tests/python/bindtest_zones.py.
    const DNSBL_ZONE = <<<'ZONE'
$ORIGIN dnsbl.test.
$TTL 300
2.0.0.127.zen       A    127.0.0.2
2.0.0.127.zen       TXT  "health point"
10.2.0.192.zen      A    127.0.0.3
10.2.0.192.zen      TXT  "192.0.2.10 is listed for the binding tests"
10.2.0.192.broken   A    127.0.0.3

ZONE;
    const RDNS_ZONE = <<<'ZONE'
$TTL 300
10.2.0.192.in-addr.arpa.            PTR  mail.example.test.
20.2.0.192.in-addr.arpa.            PTR  host-192-0-2-20.dyn.example.test.
mail.example.test.                  A    192.0.2.10
other.example.test.                 A    192.0.2.77
host-192-0-2-20.dyn.example.test.   A    192.0.2.99

ZONE;
    const DNSBL_KEYS = ['query', 'zone', 'list_name', 'status', 'codes', 'meanings',
                        'description', 'txt', 'error', 'error_code'];
    const RDNS_KEYS = ['ip', 'ptr', 'has_ptr', 'fcrdns', 'confirmed_name', 'helo_match',
                       'helo_resolves', 'generic', 'warnings', 'error'];

    public static function setUpBeforeClass(): void
    {
        // A missing extension only warns (TOOLCHAIN pitfall 16): fail loudly.
        if (!extension_loaded('mtarep')) {
            throw new RuntimeException('extension mtarep is not loaded (php -d extension=...)');
        }
    }

    private function dnsblCtx(): MtarepContext
    {
        $ctx = new MtarepContext();
        $ctx->add_zone_text(self::DNSBL_ZONE);
        return $ctx;
    }

    public function testExtensionLoaded(): void
    {
        $this->assertTrue(extension_loaded('mtarep'));
    }

    public function testVersion(): void
    {
        $v = mtarep_version();
        $this->assertMatchesRegularExpression('/^\d+\.\d+\.\d+$/', $v);
        [$maj, $min, $pat] = array_map('intval', explode('.', $v));
        $this->assertSame(($maj << 16) | ($min << 8) | $pat, mtarep_version_num());
        $zones = mtarep_default_zones();
        $this->assertNotEmpty($zones);
        $this->assertContainsOnly('string', $zones);
    }

    public function testListedAndNotListed(): void
    {
        $res = $this->dnsblCtx()->dnsbl_check(['192.0.2.10', '192.0.2.20'], ['zen.dnsbl.test']);
        $this->assertCount(2, $res);
        $this->assertSame(self::DNSBL_KEYS, array_keys($res[0]));
        $this->assertSame('192.0.2.10', $res[0]['query']);
        $this->assertSame('zen.dnsbl.test', $res[0]['zone']);
        $this->assertSame('listed', $res[0]['status']);
        $this->assertSame(['127.0.0.3'], $res[0]['codes']);
        $this->assertSame('192.0.2.10 is listed for the binding tests', $res[0]['txt']);
        $this->assertNull($res[0]['error']);
        $this->assertSame(0, $res[0]['error_code']);
        $this->assertSame('not_listed', $res[1]['status']);
        $this->assertSame([], $res[1]['codes']);
    }

    public function testSingleStringQueryAndOptions(): void
    {
        $ctx = $this->dnsblCtx();
        $res = $ctx->dnsbl_check('192.0.2.10', ['zen.dnsbl.test'], false);
        $this->assertSame('listed', $res[0]['status']);
        $this->assertNull($res[0]['txt'], 'fetch_txt=false');
        // health check off: the broken zone's NXDOMAIN becomes a verdict
        $res = $ctx->dnsbl_check(['192.0.2.20'], ['broken.dnsbl.test'], true, false);
        $this->assertSame('not_listed', $res[0]['status']);
    }

    public function testNotApplicable(): void
    {
        $res = $this->dnsblCtx()->dnsbl_check(['192.0.2.10'], ['dbl.spamhaus.org'], true, false);
        $this->assertSame('not_applicable', $res[0]['status']);
    }

    public function testFailedHealthCheckIsErrorNeverNotListed(): void
    {
        $res = $this->dnsblCtx()->dnsbl_check(['192.0.2.10', '192.0.2.20'], ['broken.dnsbl.test']);
        foreach ($res as $r) {
            $this->assertSame('error', $r['status']);
            $this->assertStringContainsString('broken.dnsbl.test', $r['error']);
            $this->assertLessThan(0, $r['error_code']);
        }
    }

    public function testRdns(): void
    {
        $ctx = new MtarepContext();
        $ctx->add_zone_text(self::RDNS_ZONE);
        $r = $ctx->rdns_check('192.0.2.10', 'mail.example.test');
        $this->assertSame(self::RDNS_KEYS, array_keys($r));
        $this->assertSame(['mail.example.test'], $r['ptr']);
        $this->assertTrue($r['fcrdns']);
        $this->assertTrue($r['helo_match']);
        $this->assertTrue($r['helo_resolves']);
        $this->assertSame('mail.example.test', $r['confirmed_name']);
        $this->assertFalse($r['generic']);
        $r = $ctx->rdns_check('192.0.2.10');
        $this->assertNull($r['helo_match'], 'no HELO: unknown');
        $r = $ctx->rdns_check('192.0.2.20', 'other.example.test');
        $this->assertFalse($r['fcrdns']);
        $this->assertTrue($r['generic']);
        $this->assertFalse($r['helo_match']);
        $this->assertSame(['192.0.2.10'], $ctx->dns_lookup('mail.example.test', 'A'));
        $this->assertSame([], $ctx->dns_lookup('nothing.example.test'));
    }

    public function testInvalidIpThrowsInvalidInput(): void
    {
        $ctx = new MtarepContext();
        $ctx->add_zone_text(self::RDNS_ZONE);
        try {
            $ctx->rdns_check('256.1.1.1');
            $this->fail('no exception');
        } catch (MtarepInvalidInputException $e) {
            $this->assertSame(-3, $e->getCode());
            $this->assertSame(MTAREP_EINVAL, $e->getCode());
            $this->assertStringContainsString('256.1.1.1', $e->getMessage());
            $this->assertInstanceOf(MtarepException::class, $e);
            $this->assertInstanceOf(Exception::class, $e);
        }
        $this->expectException(MtarepInvalidInputException::class);
        $this->dnsblCtx()->dnsbl_check(['256.1.1.1'], ['zen.dnsbl.test']);
    }

    public function testOtherErrors(): void
    {
        try {
            new MtarepContext(0);
            $this->fail('no exception');
        } catch (MtarepInvalidInputException $e) {
            $this->assertStringContainsString('timeout', $e->getMessage());
        }
        try {
            (new MtarepContext())->add_zone_text("\$ORIGIN x.test.\nfoo A not-an-address\n");
            $this->fail('no exception');
        } catch (MtarepParseException $e) {
            $this->assertSame(-7, $e->getCode());
        }
        try {
            (new MtarepContext())->add_zone_file('/nonexistent/mtarep-bindings.zone');
            $this->fail('no exception');
        } catch (MtarepIOFailureException $e) {
            $this->assertSame(-13, $e->getCode());
        }
        $this->expectException(MtarepInvalidInputException::class);
        $this->dnsblCtx()->dnsbl_check(['192.0.2.10'], []);
    }

    public function testTypeErrors(): void
    {
        $this->expectException(TypeError::class);
        $this->dnsblCtx()->dnsbl_check([42], ['zen.dnsbl.test']);
    }

    public function testEmbeddedNulRefused(): void
    {
        $this->expectException(MtarepInvalidInputException::class);
        (new MtarepContext())->rdns_check("192.0.2.10\0x");
    }

    public function testExceptionHierarchy(): void
    {
        $expected = [
            'MtarepOutOfMemoryException' => MTAREP_ENOMEM, 'MtarepInvalidInputException' => MTAREP_EINVAL,
            'MtarepTimeoutException' => MTAREP_ETIMEOUT, 'MtarepTempFailException' => MTAREP_ETEMPFAIL,
            'MtarepNotFoundException' => MTAREP_ENOTFOUND, 'MtarepParseException' => MTAREP_EPARSE,
            'MtarepLimitExceededException' => MTAREP_ELIMIT, 'MtarepBlockedException' => MTAREP_EBLOCKED,
            'MtarepHttpException' => MTAREP_EHTTP, 'MtarepThrottledException' => MTAREP_ETHROTTLED,
            'MtarepCancelledException' => MTAREP_ECANCELLED, 'MtarepIOFailureException' => MTAREP_EIO,
            'MtarepAuthException' => MTAREP_EAUTH, 'MtarepTLSException' => MTAREP_ETLS,
            'MtarepVersionException' => MTAREP_EVERSION, 'MtarepConfigException' => MTAREP_ECONFIG,
        ];
        $this->assertTrue(is_subclass_of('MtarepException', 'Exception'));
        foreach (array_keys($expected) as $cls) {
            $this->assertTrue(class_exists($cls), $cls);
            $this->assertTrue(is_subclass_of($cls, 'MtarepException'), $cls);
        }
        $this->assertTrue(is_subclass_of('MtarepTimeoutException', 'MtarepTempFailException'));
        $this->assertTrue(is_subclass_of('MtarepThrottledException', 'MtarepTempFailException'));
        $this->assertSame(-4, MTAREP_ETIMEOUT);
        $this->assertSame('MTAREP_ETIMEOUT', mtarep_error_name(MTAREP_ETIMEOUT));
    }
}
