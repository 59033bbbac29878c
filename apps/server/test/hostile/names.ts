// Hostile strings for every field that becomes a file name, an argv element or a qemu option value.

/** Ways out of a directory, and names a file system or HTTP treats specially. */
export const TRAVERSAL = [
  '../x',
  '..',
  '.',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '/etc/passwd',
  'a/b',
  'a\\b',
  '.hidden',
  '.upload.x.part',
  'x.qcow2.part',
  'x/../../y',
  '%2e%2e',
  'x\u0000y',
  'x\ny',
  'x\r\nX-Injected: 1',
  'x'.repeat(300),
  'y'.repeat(5000),
  '',
  ' ',
  'x.qcow2 ',
  '\u202eexe.qcow2',
  'ünïcode.qcow2',
  '\ud800.qcow2',
];

/** Names qemu's block layer reads as a protocol or a device instead of a file. */
export const PSEUDO_PROTOCOLS = [
  'nbd:127.0.0.1:10809',
  'nbd+unix:///e?socket=/run/x.sock',
  'file:/etc/passwd',
  'json:{"file.driver":"file","file.filename":"/etc/passwd"}',
  'fat:rw:/',
  '/dev/sda',
  'host_device:/dev/sda',
  'http://169.254.169.254/disk.img',
  'ssh://root@host/etc/shadow',
  'null-co://',
];

/** Option and argv injection: commas, leading dashes, shell metacharacters. */
export const ARGV_INJECTION = [
  'x,file=/etc/passwd',
  'x,,file=/etc/passwd',
  '-drive',
  '--help',
  '-readconfig=/etc/passwd',
  'a,b',
  'a b',
  'a"b',
  "a'b",
  '$(touch /tmp/vw-hostile-canary)',
  '`touch /tmp/vw-hostile-canary`',
  'a;id',
  'a|id',
  'a&&id',
  '*',
  'x=y',
  'a\tb',
  '${IFS}',
];

export const HOSTILE_NAMES = [...TRAVERSAL, ...PSEUDO_PROTOCOLS, ...ARGV_INJECTION];

/** One of each kind of trick, for fields checked by the same rule as a field that gets the whole list. */
export const HOSTILE_NAMES_SHORT = [
  '../x',
  '..',
  '/etc/passwd',
  'a/b',
  '.hidden',
  'x.qcow2.part',
  'x\u0000y',
  'x\ny',
  'y'.repeat(5000),
  '',
  '\ud800.qcow2',
  'nbd:127.0.0.1:10809',
  'json:{"file.driver":"file","file.filename":"/etc/passwd"}',
  'fat:rw:/',
  '/dev/sda',
  'x,file=/etc/passwd',
  '-drive',
  'a b',
  '$(touch /tmp/vw-hostile-canary)',
  'x=y',
];

/** A shorter list for fields that take ids (checked by a fixed pattern): one of each kind of trick. */
export const HOSTILE_IDS = [
  '../x',
  '..',
  '/etc/passwd',
  'x\u0000y',
  'y'.repeat(5000),
  '',
  'nbd:127.0.0.1:10809',
  'x,file=/etc/passwd',
  '-drive',
  '$(touch /tmp/vw-hostile-canary)',
  'FFFFFFFFFFFF',
  'fffffffffffff',
  ' ffffffffffff',
  '\ud800',
];

/** Free text a field may legitimately take (a kernel command line): accepted, but kept one argv element. */
export const HOSTILE_TEXT = [
  ...HOSTILE_NAMES,
  'console=ttyS0 init=/bin/sh',
  'a,b=c,,d',
  '-drive file=/etc/passwd,if=virtio',
  '--',
  '"; reboot; "',
  "'",
  '\\',
  '\\\n',
  'x'.repeat(4096),
  'x'.repeat(4097),
  '\u007f',
  '\u001b[2J',
];

/** Base URLs of peers that are not plain http(s) servers, or aim where a server must not call. */
export const HOSTILE_URLS = [
  'file:///etc/passwd',
  'javascript:alert(1)',
  'data:text/plain,hi',
  'ftp://127.0.0.1/',
  'gopher://127.0.0.1:25/_HELO',
  'nbd://127.0.0.1:10809',
  'unix:/run/virtweb.sock',
  'http://user:pw@127.0.0.1:1',
  'http://127.0.0.1:1/?x=1',
  'http://127.0.0.1:1/#f',
  'http://',
  'http:///etc/passwd',
  '//127.0.0.1:1',
  'http://[::1',
  'http://127.0.0.1:99999',
  'http://169.254.169.254',
  'http://0.0.0.0:1',
  'http://[::1]:1',
  'http://localhost:1',
  'http://127.0.0.1:1/\r\nX-Injected: 1',
  `http://${'a'.repeat(3000)}.example`,
  '',
  ' ',
  '\u0000',
];
