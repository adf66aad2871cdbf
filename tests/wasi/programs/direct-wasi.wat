;; A WASI preview 1 module that calls WASI directly (no wasi-libc), assembled with Debian's wabt
;; (wat2wasm) by tests/wasi/build-programs.sh. It finds its preopened directories itself, then:
;;   1. prints each preopen's name (fd_prestat_get / fd_prestat_dir_name from fd 3 up);
;;   2. opens data/greeting.txt under the preopen named "/" and prints it;
;;   3. creates new.txt there, writes to it, grows its memory by 16 pages (as an allocator
;;      would), seeks back and prints what it reads, then its first 16 bytes again;
;; and exits 0, or 1 with a message when a call fails. Step 3 prints through call_indirect (a table
;; and an element segment) and copies with SIMD and bulk memory instructions, so the packer's
;; renumbering of function indices and its decoding of those instructions are exercised.
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (type $printer (func (param i32)))
  (table 1 funcref)
  (elem (i32.const 0) $print_file)
  ;; 0..15: iovec and results; 16..: scratch names; 256..: read buffer; 1024..: constants
  (data (i32.const 1024) "data/greeting.txt")          ;; 17 bytes
  (data (i32.const 1056) "new.txt")                    ;; 7 bytes
  (data (i32.const 1072) "written by a direct WASI module\n")  ;; 32 bytes
  (data (i32.const 1120) "preopen: ")                  ;; 9 bytes
  (data (i32.const 1136) "\n")
  (data (i32.const 1152) "direct-wasi: a WASI call failed\n")  ;; 32 bytes

  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $check (param $errno i32)
    (if (local.get $errno)
      (then
        (i32.store (i32.const 0) (i32.const 1152))
        (i32.store (i32.const 4) (i32.const 32))
        (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
        (call $proc_exit (i32.const 1)))))

  ;; Reads from $fd into 256.. and prints what it read.
  (func $print_file (param $fd i32)
    (i32.store (i32.const 0) (i32.const 256))
    (i32.store (i32.const 4) (i32.const 512))
    (call $check (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $print (i32.const 256) (i32.load (i32.const 8))))

  (func (export "_start")
    (local $fd i32) (local $root i32) (local $len i32)
    (local.set $root (i32.const -1))
    ;; 1. the preopens, from fd 3 until one is not a preopen
    (local.set $fd (i32.const 3))
    (block $done
      (loop $next
        (br_if $done (call $prestat_get (local.get $fd) (i32.const 8)))
        (local.set $len (i32.load (i32.const 12)))
        (br_if $done (i32.gt_u (local.get $len) (i32.const 200)))
        (call $check (call $prestat_dir_name (local.get $fd) (i32.const 16) (local.get $len)))
        (call $print (i32.const 1120) (i32.const 9))
        (call $print (i32.const 16) (local.get $len))
        (call $print (i32.const 1136) (i32.const 1))
        (if (i32.and (i32.eq (local.get $len) (i32.const 1)) (i32.eq (i32.load8_u (i32.const 16)) (i32.const 47)))
          (then (local.set $root (local.get $fd))))
        (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
        (br $next)))
    (if (i32.lt_s (local.get $root) (i32.const 0)) (then (call $check (i32.const 44))))
    ;; 2. data/greeting.txt (lookupflags: follow symlinks; rights: fd_read)
    (call $check (call $path_open (local.get $root) (i32.const 1) (i32.const 1024) (i32.const 17)
                   (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8)))
    (local.set $fd (i32.load (i32.const 8)))
    (call $print_file (local.get $fd))
    (call $check (call $fd_close (local.get $fd)))
    ;; 3. new.txt: O_CREAT|O_TRUNC, rights fd_read|fd_seek|fd_write
    (call $check (call $path_open (local.get $root) (i32.const 0) (i32.const 1056) (i32.const 7)
                   (i32.const 9) (i64.const 0x46) (i64.const 0) (i32.const 0) (i32.const 8)))
    (local.set $fd (i32.load (i32.const 8)))
    (i32.store (i32.const 0) (i32.const 1072))
    (i32.store (i32.const 4) (i32.const 32))
    (call $check (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
    (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then (call $check (i32.const 48))))
    (i32.store (i32.const 65536) (i32.const 0x12345678))  ;; the new pages are the module's own
    (call $check (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 8)))
    (call_indirect (type $printer) (local.get $fd) (i32.const 0))
    ;; the 16 bytes at 256 (what was read) copied with v128 load/store, then with memory.copy
    (v128.store (i32.const 512) (i8x16.add (v128.load (i32.const 256)) (v128.const i32x4 0 0 0 0)))
    (memory.copy (i32.const 600) (i32.const 512) (i32.const 16))
    (memory.fill (i32.const 616) (i32.const 10) (i32.const 1))
    (call $print (i32.const 600) (i32.const 17))
    (if (i32.ne (memory.size) (i32.const 17)) (then (call $check (i32.const 28))))
    (call $check (call $fd_close (local.get $fd)))
    (call $proc_exit (i32.const 0))))
