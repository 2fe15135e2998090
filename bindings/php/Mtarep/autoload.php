<?php
/**
 * Autoloader of the Mtarep\ class layer (no Composer needed):
 *
 *   require '/usr/local/share/mtarep/php/Mtarep/autoload.php';
 *   $ctx = new Mtarep\Context(['nameservers' => ['127.0.0.1']]);
 *
 * Mtarep\Foo is Mtarep/Foo.php next to this file. The exception classes
 * Mtarep\Exception\...Exception come from the extension itself (generated
 * from bindings/errors.tsv), so they need no file.
 */
declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    if (strncmp($class, 'Mtarep\\', 7) !== 0) {
        return;
    }
    $rel = substr($class, 7);
    if (!preg_match('/^[A-Za-z][A-Za-z0-9]*$/', $rel)) {
        return;
    }
    $file = __DIR__ . '/' . $rel . '.php';
    if (is_file($file)) {
        require_once $file;
    }
});
