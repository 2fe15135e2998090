<?php
// mtarep_precheck() through the PHP binding: the demo's report from the
// offline demo zone, unknown (never ok) when DNS is dead, bad input.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;

final class PrecheckTest extends TestCase
{
    public static function setUpBeforeClass(): void
    {
        if (!extension_loaded('mtarep')) {
            throw new RuntimeException('extension mtarep is not loaded (php -d extension=...)');
        }
    }

    private static function demo(): string
    {
        $src = getenv('MTAREP_SOURCE_DIR') ?: dirname(__DIR__, 2);
        return $src . '/examples/demo.zone';
    }

    public function testDemoReport(): void
    {
        $ctx = new MtarepContext();
        $ctx->add_zone_file(self::demo());
        $r = $ctx->precheck(['77.245.64.44'], 'example.com', 'mail.example.com',
                            ['mail', 's2048']);
        $this->assertSame('problem', $r['verdict']);
        $names = array_map(fn ($c) => $c['name'], $r['checks']);
        $this->assertSame(['dnsbl', 'spf', 'helo', 'dmarc', 'rdns', 'dkim', 'dbl', 'mx'], $names);
        foreach ($r['checks'] as $c) {
            $this->assertSame(['name', 'subject', 'status', 'advice', 'evidence'], array_keys($c));
            $this->assertContains($c['status'], ['ok', 'warning', 'problem', 'unknown']);
            $this->assertIsArray($c['evidence']);
        }
        $this->assertStringContainsString('zen.spamhaus.org', $r['checks'][0]['evidence'][0]);
        $this->assertStringContainsString('ip4:77.245.64.44', $r['checks'][1]['advice']);
        $this->assertNull($r['checks'][7]['advice']);
    }

    public function testDeadDnsIsUnknown(): void
    {
        if (!function_exists('socket_create')) {
            $this->markTestSkipped('no sockets extension');
        }
        $sock = socket_create(AF_INET, SOCK_DGRAM, SOL_UDP);
        socket_bind($sock, '127.0.0.1', 0);
        socket_getsockname($sock, $addr, $port);
        $ctx = new MtarepContext(200, 0);
        $ctx->add_nameserver("127.0.0.1:$port");
        $r = $ctx->precheck('192.0.2.1', 'example.com');
        socket_close($sock);
        $this->assertSame('unknown', $r['verdict']);
        foreach ($r['checks'] as $c) {
            $this->assertSame('unknown', $c['status'], $c['name']);
        }
    }

    public function testProviderPassThrough(): void
    {
        $https = getenv('MTAREP_TEST_HTTPS');
        if (!$https) {
            $this->markTestSkipped('MTAREP_TEST_HTTPS not set (run through ctest)');
        }
        $key = '0a1b2c3d-1111-2222-3333-444455556666';
        $ctx = new MtarepContext();
        $ctx->add_zone_file(self::demo());
        $r = $ctx->precheck(['198.51.100.7'], null, null, null, ['zen.spamhaus.org'], null, null,
                            null, null, $key, null, "https://$https/ok",
                            getenv('MTAREP_TEST_STATE') . '/https/ca.pem', 5000);
        $this->assertSame('snds', $r['checks'][0]['name']);
        $this->assertSame('problem', $r['checks'][0]['status']);
        $this->assertStringNotContainsString($key, json_encode($r));
    }

    public function testBadInput(): void
    {
        $ctx = new MtarepContext();
        $ctx->add_zone_file(self::demo());
        $this->expectException(MtarepInvalidInputException::class);
        $ctx->precheck(['not-an-ip']);
    }
}
