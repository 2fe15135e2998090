<?php
// Reputation providers through the PHP binding against the loopback HTTPS
// server (tests/servers/httpsd.py). Skipped outside ctest.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;

final class ProviderTest extends TestCase
{
    const SNDS_KEY = '0a1b2c3d-1111-2222-3333-444455556666';
    const TOKEN = 'ya29.test-token-0123456789';

    private static function base(string $case): string
    {
        $addr = getenv('MTAREP_TEST_HTTPS');
        if ($addr === false || $addr === '') {
            self::markTestSkipped('MTAREP_TEST_HTTPS not set (run through ctest)');
        }
        return "https://$addr/$case";
    }

    private static function ca(): string
    {
        return getenv('MTAREP_TEST_STATE') . '/https/ca.pem';
    }

    public function testPostmasterNormalized(): void
    {
        $ctx = new MtarepContext();
        $r = $ctx->provider_postmaster('mail.example.com', self::TOKEN, 3, self::base('ok'), self::ca());
        $this->assertSame('postmaster', $r['source']);
        $this->assertSame('medium', $r['reputation']);
        $this->assertNull($r['volume']);
        $this->assertCount(3, $r['periods']);
        $this->assertSame('2025-09-01', $r['periods'][0]['start']);
        $this->assertNull($r['periods'][0]['complaint_rate']);
        $this->assertEqualsWithDelta(0.0021, $r['periods'][1]['complaint_rate'], 1e-12);
        $this->assertSame('3', $r['periods'][0]['raw']['ipReputations'][0]['ipCount']);
    }

    /** Call arguments kept in getTrace() (zend.exception_ignore_args=Off, PHP's
     *  built-in default) must not hold keys, tokens or Redis passwords. */
    public function testSecretsNeverInExceptionTrace(): void
    {
        $old = ini_set('zend.exception_ignore_args', '0');
        $seen = 0;
        $check = function (callable $f, #[\SensitiveParameter] string $secret) use (&$seen): void {
            try {
                $f();
                $this->fail('no exception');
            } catch (MtarepException $e) {
                $seen++;
                $dump = var_export($e->getTrace(), true) . $e->getTraceAsString() . $e->getMessage();
                $this->assertStringNotContainsString($secret, $dump);
            }
        };
        try {
            $raw = new MtarepContext();
            $ns = new Mtarep\Context();
            $check(fn() => $raw->provider_snds(self::SNDS_KEY, '', self::base('echo/snds'), self::ca()),
                   self::SNDS_KEY);
            $check(fn() => $ns->providerSnds(self::SNDS_KEY, '', self::base('echo/snds'), self::ca()),
                   self::SNDS_KEY);
            $check(fn() => $raw->provider_postmaster('mail.example.com', self::TOKEN, 3,
                                                     self::base('echo'), self::ca()), self::TOKEN);
            $check(fn() => $raw->provider_mailgun('bad domain', self::TOKEN, '', '', '', '', '', '',
                                                  0, '', ''), self::TOKEN);
            $check(fn() => new MtarepThrottle('redis://:pw-SECRET-42@127.0.0.1:99999', '5/1h',
                                              'closed', null, 500), 'pw-SECRET-42');
            $check(fn() => new Mtarep\Throttle('redis://:pw-SECRET-42@127.0.0.1:99999', '5/1h'),
                   'pw-SECRET-42');
        } finally {
            ini_set('zend.exception_ignore_args', (string)$old);
        }
        $this->assertSame(6, $seen);
    }

    public function testSndsBlockedAndKeyNeverInException(): void
    {
        $ctx = new MtarepContext();
        $r = $ctx->provider_snds(self::SNDS_KEY, '', self::base('ok/snds'), self::ca());
        $this->assertCount(3, $r['blocked']);
        $this->assertSame('bad', $r['reputation']);
        try {
            $ctx->provider_snds(self::SNDS_KEY, '', self::base('echo/snds'), self::ca());
            $this->fail('no exception');
        } catch (MtarepAuthException $e) {
            $this->assertStringNotContainsString(self::SNDS_KEY, $e->getMessage());
            $this->assertStringContainsString('<key>', $e->getMessage());
            $this->assertSame(-14, $e->getCode());
        }
        $this->expectException(MtarepTLSException::class);
        $ctx->provider_snds(self::SNDS_KEY, '', self::base('ok/snds'),
                            getenv('MTAREP_TEST_STATE') . '/https/wrongca.pem');
    }
}
