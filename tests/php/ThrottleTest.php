<?php
// Rate limiter and warm-up plans through the PHP binding, and the
// MtarepThrottledSender helper (file store: no servers needed).
declare(strict_types=1);

use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/../../bindings/php/Mtarep/ThrottledSender.php';

final class ThrottleTest extends TestCase
{
    private string $dir;
    private string $store;

    public static function setUpBeforeClass(): void
    {
        if (!extension_loaded('mtarep')) {
            throw new RuntimeException('extension mtarep is not loaded (php -d extension=...)');
        }
    }

    protected function setUp(): void
    {
        $this->dir = sys_get_temp_dir() . '/mtarep-php-thr-' . getmypid() . '-' . bin2hex(random_bytes(4));
        mkdir($this->dir);
        $this->store = 'file:' . $this->dir . '/t.tbl';
    }

    protected function tearDown(): void
    {
        @unlink($this->dir . '/t.tbl');
        @rmdir($this->dir);
    }

    public function testExactBudgetAndDecisionShape(): void
    {
        $t = new MtarepThrottle($this->store, '3/1d');
        $adm = [];
        for ($i = 0; $i < 5; $i++) {
            $adm[] = $t->try_acquire('ip:192.0.2.1', 1)['admitted'];
        }
        $this->assertSame([true, true, true, false, false], $adm);
        $d = $t->try_acquire('ip:192.0.2.1', 1);
        $this->assertSame(['admitted', 'retry_after_ms', 'remaining', 'degraded', 'message',
                           'status', 'limits'], array_keys($d));
        $this->assertGreaterThan(0, $d['retry_after_ms']);
        $this->assertLessThanOrEqual(8 * 3600 * 1000, $d['retry_after_ms']);
        $this->assertSame('3/1d', $d['limits'][0]['limit']);
        $this->assertTrue($d['limits'][0]['blocking']);
        $this->assertSame('none', $d['degraded']);
        $this->assertSame($this->store, $t->store());
        $this->assertTrue($t->reset('ip:192.0.2.1'));
        $this->assertSame(3, $t->status('ip:192.0.2.1')['remaining']);
    }

    public function testWindowLimit(): void
    {
        // at most 3 in any day, 3 at once on a fresh key, through the sender too
        $t = new MtarepThrottle($this->store, '3/1d window');
        $this->assertTrue($t->try_acquire('w', 3)['admitted']);
        $d = $t->try_acquire('w', 1);
        $this->assertFalse($d['admitted']);
        $this->assertGreaterThan(86400 * 1000 - 60000, $d['retry_after_ms']);
        $this->assertLessThanOrEqual(92160 * 1000, $d['retry_after_ms']);  // + 1 d / 15
        $this->assertSame('3/1d window', $d['limits'][0]['limit']);
        $s = new MtarepThrottledSender($this->store, ['2/1d window'], 'ws');
        $this->assertTrue($s->send(fn() => true, 2, 0));
    }

    public function testErrors(): void
    {
        try {
            new MtarepThrottle($this->store, '1/1x');
            $this->fail('bad limit accepted');
        } catch (MtarepInvalidInputException $e) {
            $this->assertStringContainsString('1/1x', $e->getMessage());
        }
        $this->expectException(MtarepTempFailException::class);
        (new MtarepThrottle('redis://u:pw@127.0.0.1:1', '1/1h', 'closed', null, 200))->try_acquire('k', 1);
    }

    public function testSenderSendsWithinBudgetThenThrows(): void
    {
        $s = new MtarepThrottledSender($this->store, ['2/1d'], 'ip:192.0.2.9');
        $sent = [];
        $this->assertSame('ok', $s->send(function () use (&$sent) { $sent[] = 'a'; return 'ok'; }));
        $s->send(function () use (&$sent) { $sent[] = 'b'; return true; }, 1, 0);
        try {
            $s->send(function () use (&$sent) { $sent[] = 'c'; return true; }, 1, 1000);
            $this->fail('third send admitted');
        } catch (MtarepThrottledException $e) {
            $this->assertSame(MTAREP_ETHROTTLED, $e->getCode());
            $this->assertInstanceOf(MtarepTempFailException::class, $e);
        }
        $this->assertSame(['a', 'b'], $sent);
        $this->expectException(MtarepLimitExceededException::class);
        (new MtarepThrottledSender($this->store, ['10/1d:3'], 'other'))->send(fn() => true, 4);
    }

    public function testSenderWaitsForPacing(): void
    {
        // 20/1s burst 1: one unit every 50 ms
        $s = new MtarepThrottledSender($this->store, ['20/1s:1'], 'pace');
        $t0 = microtime(true);
        for ($i = 0; $i < 4; $i++) {
            $s->send(fn() => true, 1, 2000);
        }
        $this->assertGreaterThanOrEqual(0.12, microtime(true) - $t0);
    }

    public function testWarmupPlan(): void
    {
        $p = mtarep_warmup_plan('sparkpost', null, '2026-02-27', 3);
        $this->assertCount(3, $p);
        $this->assertSame(['day' => 1, 'date' => '2026-02-27', 'daily' => 200, 'hourly' => 25], $p[0]);
        $this->assertSame('2026-03-01', $p[2]['date']);
        $this->assertCount(21, mtarep_warmup_plan());
        $this->expectException(MtarepNotFoundException::class);
        mtarep_warmup_plan('nope');
    }
}
