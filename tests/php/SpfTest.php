<?php
// SPF through the PHP binding, from static zone text (no network).
declare(strict_types=1);

use PHPUnit\Framework\TestCase;

final class SpfTest extends TestCase
{
    const ZONE = <<<'ZONE'
$TTL 300
example.test.       TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.example.test mx -all"
example.test.       MX 10 mx.example.test.
mx.example.test.    A 198.51.100.25
_spf.example.test.  TXT "v=spf1 ip6:2001:db8::/32 a:gone.example.test ~all"

ZONE;
    const KEYS = ['result', 'valid', 'explanation', 'reason', 'lookups', 'void_lookups',
                  'error_offset', 'warnings', 'tree'];

    public static function setUpBeforeClass(): void
    {
        if (!extension_loaded('mtarep')) {
            throw new RuntimeException('extension mtarep is not loaded (php -d extension=...)');
        }
    }

    private function ctx(): MtarepContext
    {
        $ctx = new MtarepContext();
        $ctx->add_zone_text(self::ZONE);
        return $ctx;
    }

    public function testCheck(): void
    {
        $ctx = $this->ctx();
        $r = $ctx->spf_check('192.0.2.7', 'user@example.test');
        $this->assertSame('pass', $r['result']);
        $r = $ctx->spf_check('203.0.113.9', 'user@example.test', 'mx.example.test');
        foreach (self::KEYS as $k) {
            $this->assertArrayHasKey($k, $r);
        }
        $this->assertSame('fail', $r['result']);
        $this->assertStringContainsString('203.0.113.9', $r['explanation']);
        $this->assertSame(3, $r['lookups']);
        $this->assertSame(1, $r['void_lookups']);
        $this->assertSame('_spf.example.test', $r['tree'][1]['domain']);
        $this->assertSame(0, $r['tree'][1]['parent']);
        $this->assertNull($r['tree'][0]['parent']);
    }

    public function testInspectAndValidate(): void
    {
        $ctx = $this->ctx();
        $r = $ctx->spf_inspect('example.test');
        $this->assertTrue($r['valid']);
        $this->assertSame(3, $r['tree'][0]['lookups_total']);
        $r = $ctx->spf_validate('v=spf1 bogus -all');
        $this->assertFalse($r['valid']);
        $this->assertSame('permerror', $r['result']);
        $this->assertSame(7, $r['error_offset']);
    }

    public function testBadIpRaises(): void
    {
        $this->expectException(MtarepInvalidInputException::class);
        $this->ctx()->spf_check('300.1.1.1', 'a@example.test');
    }
}
