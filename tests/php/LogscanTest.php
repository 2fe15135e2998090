<?php
// Log scanner and SMTP reply classifier through the PHP binding.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;

final class LogscanTest extends TestCase
{
    private static function logs(): string
    {
        return dirname(__DIR__) . '/data/logs';
    }

    public function testSampleCounts(): void
    {
        $this->assertTrue(extension_loaded('mtarep'));
        $r = mtarep_logscan([self::logs() . '/postfix-sample.log']);
        $this->assertSame('postfix', $r['format']);
        $this->assertSame([23, 1, 4, 0], [$r['totals']['sent'], $r['totals']['deferred'],
                                          $r['totals']['bounced'], $r['totals']['expired']]);
        $this->assertSame(2, $r['domains']['example.com']['bounced']);
        $this->assertSame(1, $r['totals']['bounced_by_cause']['reputation']);
        $e = mtarep_logscan([self::logs() . '/exim-sample.log'], 'exim');
        $this->assertSame(140, $e['totals']['sent']);
    }

    public function testClassify(): void
    {
        $r = mtarep_classify('550 5.7.1 Unfortunately, messages from [192.0.2.1] weren\'t sent. '
            . 'Please contact your Internet service provider since part of their network is on our block list (S3140).');
        $this->assertSame('reputation', $r['category']);
        $this->assertSame('Outlook.com', $r['receiver']);
        $this->assertSame(550, $r['code']);
        $this->assertSame('5.7.1', $r['enhanced_code']);
        $this->assertNull($r['blocklist']);
    }

    public function testErrors(): void
    {
        try {
            mtarep_classify('');
            $this->fail('no exception');
        } catch (\Exception $e) {
            $this->assertStringContainsString('empty', $e->getMessage());
        }
        $this->expectException(\Exception::class);
        mtarep_logscan(['/nonexistent/mail.log']);
    }
}
