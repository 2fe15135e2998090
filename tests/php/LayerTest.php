<?php
// The namespaced class layer (bindings/php/Mtarep/*.php) over every module,
// and the Mtarep\Exception\... names of the generated exception classes.
// MTAREP_PHP_LAYER names the directory holding Mtarep/ (an installed tree);
// default: the source tree.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use Mtarep\Context;
use Mtarep\Mtarep;
use Mtarep\Throttle;
use Mtarep\Exception as E;

require_once (getenv('MTAREP_PHP_LAYER') ?: __DIR__ . '/../../bindings/php') . '/Mtarep/autoload.php';

final class LayerTest extends TestCase
{
    const ZONE = <<<'ZONE'
$TTL 300
2.0.0.127.zen.dnsbl.test.       A    127.0.0.2
10.2.0.192.zen.dnsbl.test.      A    127.0.0.3
10.2.0.192.zen.dnsbl.test.      TXT  "listed for the layer tests"
10.2.0.192.in-addr.arpa.        PTR  mail.example.test.
mail.example.test.              A    192.0.2.10
example.test.                   TXT  "v=spf1 ip4:192.0.2.0/24 -all"
example.test.                   MX   10 mail.example.test.
mail._domainkey.example.test.   TXT  "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
_dmarc.example.test.            TXT  "v=DMARC1; p=reject; rua=mailto:d@example.test"

ZONE;

    public static function setUpBeforeClass(): void
    {
        if (!extension_loaded('mtarep')) {
            throw new RuntimeException('extension mtarep is not loaded (php -d extension=...)');
        }
    }

    private function ctx(): Context
    {
        return new Context(['zoneText' => self::ZONE, 'timeoutMs' => 1000, 'retries' => 0]);
    }

    public function testDnsAndDnsbl(): void
    {
        $c = $this->ctx();
        $this->assertSame(['10 mail.example.test.'], $c->dnsLookup('example.test', 'MX'));
        $rows = $c->dnsblCheck('192.0.2.10', ['zen.dnsbl.test']);
        $this->assertCount(1, $rows);
        $this->assertSame('listed', $rows[0]['status']);
        $this->assertSame('listed for the layer tests', $rows[0]['txt']);
        $this->assertSame('not_listed', $c->dnsblCheck(['192.0.2.11'], ['zen.dnsbl.test'])[0]['status']);
        $this->assertContains('zen.spamhaus.org', Mtarep::defaultZones());
    }

    public function testRdns(): void
    {
        $r = $this->ctx()->rdnsCheck('192.0.2.10', 'mail.example.test');
        $this->assertSame(['mail.example.test'], $r['ptr']);
        $this->assertTrue($r['fcrdns']);
        $this->assertTrue($r['helo_match']);
        $this->assertTrue(Mtarep::rdnsNameIsGeneric('host-192-0-2-20.dyn.example.test', '192.0.2.20'));
    }

    public function testSpf(): void
    {
        $c = $this->ctx();
        $this->assertSame('pass', $c->spfCheck('192.0.2.7', 'a@example.test')['result']);
        $this->assertSame('fail', $c->spfCheck('203.0.113.1', 'a@example.test')['result']);
        $this->assertTrue($c->spfInspect('example.test')['valid']);
        $this->assertFalse($c->spfValidate('v=spf1 bogus -all')['valid']);
    }

    public function testDkimAndDmarc(): void
    {
        $c = $this->ctx();
        $k = $c->dkimFetch('example.test', 'mail');
        $this->assertSame(['valid', 'ed25519', 256], [$k['verdict'], $k['key_type'], $k['key_bits']]);
        $this->assertSame('invalid', $c->dkimValidate('v=DKIM1; k=rsa; p=!!')['verdict']);
        $this->assertSame(1, $c->dkimDiscover('example.test', ['mail', 'nope'])['found']);
        $p = $c->dmarcFetch('example.test');
        $this->assertSame(['valid', 'reject'], [$p['verdict'], $p['policy']]);
        $this->assertSame('invalid', $c->dmarcValidate('p=reject; v=DMARC1')['verdict']);
    }

    public function testClassifyLogscanWarmup(): void
    {
        $r = Mtarep::classify('554 5.7.1 Client host blocked using zen.spamhaus.org');
        $this->assertSame(['blocklist', 'zen.spamhaus.org'], [$r['category'], $r['blocklist']]);
        $log = __DIR__ . '/../data/logs/postfix-sample.log';
        $s = Mtarep::logscan($log);
        $this->assertSame('postfix', $s['format']);
        $this->assertSame([23, 4], [$s['totals']['sent'], $s['totals']['bounced']]);
        $plan = Mtarep::warmupPlan('mtarep', null, '2026-12-01', 2);
        $this->assertSame([1, '2026-12-01', 50], [$plan[0]['day'], $plan[0]['date'], $plan[0]['daily']]);
        $this->assertSame(2, count($plan));
    }

    public function testThrottle(): void
    {
        $t = new Throttle('memory:', ['2/1h']);
        $this->assertTrue($t->tryAcquire('k')['admitted']);
        $this->assertTrue($t->tryAcquire('k')['admitted']);
        $this->assertFalse($t->tryAcquire('k')['admitted']);
        $this->assertFalse($t->status('k')['admitted']);
        try {
            $t->acquire('k', 1, 10);
            $this->fail('acquire should throw');
        } catch (E\RateLimitedException $e) {
            $this->assertInstanceOf(E\ThrottledException::class, $e);
            $this->assertInstanceOf(E\TempFailException::class, $e);
            $this->assertSame(MTAREP_ETHROTTLED, $e->getCode());
        }
        $this->expectException(E\LimitExceededException::class);
        $t->acquire('other', 3, 10);
    }

    public function testVersion(): void
    {
        $this->assertMatchesRegularExpression('/^\d+\.\d+\.\d+$/', Mtarep::version());
        [$a, $b, $c] = array_map('intval', explode('.', Mtarep::version()));
        $this->assertSame(($a << 16) | ($b << 8) | $c, Mtarep::versionNum());
        $this->assertSame('MTAREP_EINVAL', Mtarep::errorName(MTAREP_EINVAL));
    }

    public function testExceptionsMirrorTheTable(): void
    {
        $rows = array_filter(file(__DIR__ . '/../../bindings/errors.tsv', FILE_IGNORE_NEW_LINES),
                             fn($l) => $l !== '' && $l[0] !== '#');
        $this->assertNotEmpty($rows);
        foreach ($rows as $l) {
            $f = explode("\t", $l);
            $base = preg_replace('/Error$/', '', $f[2]) ?: 'Mtarep';
            $ns = "Mtarep\\Exception\\{$base}Exception";
            $this->assertTrue(class_exists($ns), $ns);
            $this->assertTrue(is_a($ns, E\MtarepException::class, true), $ns);
            $this->assertSame(constant($f[1]), (int)$f[0]);
            foreach (isset($f[4]) ? explode(',', $f[4]) : [] as $alias) {
                $this->assertSame(strtolower((new ReflectionClass($ns))->getName()),
                                  strtolower((new ReflectionClass("Mtarep\\Exception\\{$alias}Exception"))->getName()));
            }
        }
        $this->assertTrue(is_a(E\TimeoutException::class, E\TempFailException::class, true));
        $this->assertTrue(is_a(E\AuthException::class, \Exception::class, true));
    }

    public function testBadInputThrowsNamespacedClass(): void
    {
        try {
            $this->ctx()->rdnsCheck('300.1.1.1');
            $this->fail('no exception');
        } catch (E\InvalidInputException $e) {
            $this->assertSame(MTAREP_EINVAL, $e->getCode());
            $this->assertInstanceOf(\MtarepInvalidInputException::class, $e);  // old name still works
        }
        $this->expectException(\InvalidArgumentException::class);
        new Context(['timeout' => 5]);
    }

    public function testCallForwardsToExtensionMethods(): void
    {
        $c = $this->ctx();
        // a method the layer does not wrap, reached by its camelCase name
        $c->raw()->add_zone_text("x.example.test. 300 A 192.0.2.99\n");
        $this->assertSame(['192.0.2.99'], $c->dnsLookup('x.example.test'));
        $this->assertSame(['192.0.2.99'], $c->__call('dnsLookup', ['x.example.test']));
        // module-level functions likewise: Mtarep::errorName() is wrapped, strerror by __callStatic
        $this->assertSame(mtarep_strerror(MTAREP_EINVAL), Mtarep::__callStatic('strerror', [MTAREP_EINVAL]));
        try {
            Mtarep::noSuchFunction();
            $this->fail('no exception');
        } catch (\BadMethodCallException $e) {
            $this->assertStringContainsString('noSuchFunction', $e->getMessage());
        }
        $this->expectException(\BadMethodCallException::class);
        $c->noSuchThing();
    }

    public function testThrottledSenderNamespacedName(): void
    {
        $dir = sys_get_temp_dir() . '/mtarep-layer-' . getmypid();
        @mkdir($dir);
        $s = new \Mtarep\ThrottledSender("file:$dir/t.tbl", ['1/1h'], 'ip:192.0.2.1');
        $this->assertSame(42, $s->send(fn() => 42));
        $this->expectException(E\ThrottledException::class);
        try {
            $s->send(fn() => 43, 1, 0);
        } finally {
            @unlink("$dir/t.tbl");
            @rmdir($dir);
        }
    }
}
