<?php
// DKIM keys and DMARC policies through the PHP binding, from static zone
// text (no network).
declare(strict_types=1);

use PHPUnit\Framework\TestCase;

final class DkimTest extends TestCase
{
    const RSA1024 = 'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCr+9rAVsSXrGJ4loX9DziDNDhBLRYn3Z6JWHQUASh+2eD1JA4enNqUQNZceMSyIm0/m5I6etvc4VQ96pJK3Ybj72ALTNfWqVw7Md0tqxz2eww5TET/t8gg0SM1De03N5D/UC9j9EqH1im6Xwm7I/wtATfLkyYn3Mw+O1a1Y0GJVwIDAQAB';
    const ED25519 = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';
    const KEYS = ['verdict', 'problems', 'key_type', 'key_bits', 'testing', 'revoked',
                  'record', 'name', 'selector'];

    public static function setUpBeforeClass(): void
    {
        if (!extension_loaded('mtarep')) {
            throw new RuntimeException('extension mtarep is not loaded (php -d extension=...)');
        }
    }

    private function ctx(): MtarepContext
    {
        $ctx = new MtarepContext();
        $ctx->add_zone_text("\$TTL 300\n"
            . 'mail._domainkey.example.test. TXT "v=DKIM1; k=rsa; p=' . self::RSA1024 . "\"\n"
            . 'ed._domainkey.example.test. TXT "v=DKIM1; k=ed25519; p=' . self::ED25519 . "\"\n"
            . "_dmarc.example.test. TXT \"v=DMARC1; p=quarantine; rua=mailto:d@example.test\"\n");
        return $ctx;
    }

    public function testDkimValidate(): void
    {
        $r = $this->ctx()->dkim_validate('v=DKIM1; k=rsa; p=' . self::RSA1024);
        foreach (self::KEYS as $k) {
            $this->assertArrayHasKey($k, $r);
        }
        $this->assertSame('warning', $r['verdict']);
        $this->assertSame('rsa', $r['key_type']);
        $this->assertSame(1024, $r['key_bits']);
        $this->assertSame('warning', $r['problems'][0]['severity']);
        $r = $this->ctx()->dkim_validate('v=DKIM1; p=');
        $this->assertSame('invalid', $r['verdict']);
        $this->assertTrue($r['revoked']);
        $this->assertNull($r['key_bits']);
    }

    public function testDkimFetchDiscover(): void
    {
        $ctx = $this->ctx();
        $r = $ctx->dkim_fetch('example.test', 'ed');
        $this->assertSame('valid', $r['verdict']);
        $this->assertSame('ed25519', $r['key_type']);
        $this->assertSame('none', $ctx->dkim_fetch('example.test', 'nope')['verdict']);
        $d = $ctx->dkim_discover('example.test', ['ed', 'mail', 'x']);
        $this->assertSame(2, $d['found']);
        $this->assertCount(3, $d['selectors']);
        $this->assertSame(1, $ctx->dkim_discover('example.test')['found']);
    }

    public function testDmarc(): void
    {
        $ctx = $this->ctx();
        $r = $ctx->dmarc_validate('v=DMARC1; p=reject; t=y; rua=mailto:a@example.com');
        $this->assertSame('warning', $r['verdict']);
        $this->assertSame('y', $r['tags']['t']);
        $r = $ctx->dmarc_fetch('x.example.test');
        $this->assertSame('tree-walk', $r['rule']);
        $this->assertSame('quarantine', $r['policy']);
        $this->assertSame('none', $ctx->dmarc_fetch('other.test')['verdict']);
    }
}
