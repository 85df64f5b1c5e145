;; The fast path of the ziggurat normal generator (see ziggurat.ts), four streams at once in WebAssembly SIMD:
;; four xoshiro128** generators, one per i32x4 lane, each word giving one draw. A draw whose fast test fails is
;; written as 0 and its group of four recorded for the JavaScript slow path, which replaces it (about 1 in 70).
;;
;; Assembled by `npm run wasm` (wabt) into zigguratWasm.ts; a unit test checks that the two agree.
;;
;; Memory layout (bytes):
;;      0  limit  i32[256]   fast test: accept when a < limit[layer], a = |j + 1/2| − 1/2
;;   1024  scaled f32[256]   scale · edge[layer] · 2^-24, so that x = (2j + 1) · scaled[layer]
;;   2048  state  v128[4]    s0, s1, s2, s3 of the four xoshiro128** lanes (lane i = stream i)
;;   2112  sum    f64        Σ x² over the accepted draws of the last fill
;;   4096  free: the caller puts the output and the reject list there
;;
;; A word w gives layer = w & 255 and j = w >> 8 (arithmetic: a signed 24-bit integer), so u = (2j + 1)·2^-24 is
;; uniform on (−1, 1), symmetric, exact in float32.
(module
  (memory (export "memory") 1)

  ;; fill(out, groups, rejects) → number of recorded groups. Writes 4·groups float32 at `out` (16-byte steps:
  ;; element 4g + i comes from lane i), and for each group with a rejected draw 32 bytes at `rejects`: its four
  ;; words, then the address it was written to.
  (func (export "fill") (param $out i32) (param $groups i32) (param $rejects i32) (result i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $m v128) (local $word v128) (local $t v128) (local $j v128)
    (local $limit v128) (local $scaled v128) (local $reject v128) (local $x v128)
    (local $square v128) (local $sum v128)
    (local $p i32) (local $end i32) (local $count i32) (local $layer i32)

    (local.set $s0 (v128.load offset=2048 (i32.const 0)))
    (local.set $s1 (v128.load offset=2064 (i32.const 0)))
    (local.set $s2 (v128.load offset=2080 (i32.const 0)))
    (local.set $s3 (v128.load offset=2096 (i32.const 0)))
    (local.set $sum (v128.const f64x2 0 0))
    (local.set $p (local.get $out))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $groups) (i32.const 4))))

    (block $done
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (loop $group
        ;; xoshiro128**: word = rotl(s1 · 5, 7) · 9, then the state transition.
        ;; (· 5 and · 9 as shift-and-add: a vector multiply has several times their latency)
        (local.set $m (i32x4.add (i32x4.shl (local.get $s1) (i32.const 2)) (local.get $s1)))
        (local.set $m (v128.or (i32x4.shl (local.get $m) (i32.const 7)) (i32x4.shr_u (local.get $m) (i32.const 25))))
        (local.set $word (i32x4.add (i32x4.shl (local.get $m) (i32.const 3)) (local.get $m)))
        (local.set $t (i32x4.shl (local.get $s1) (i32.const 9)))
        (local.set $s2 (v128.xor (local.get $s2) (local.get $s0)))
        (local.set $s3 (v128.xor (local.get $s3) (local.get $s1)))
        (local.set $s1 (v128.xor (local.get $s1) (local.get $s2)))
        (local.set $s0 (v128.xor (local.get $s0) (local.get $s3)))
        (local.set $s2 (v128.xor (local.get $s2) (local.get $t)))
        (local.set $s3 (v128.or (i32x4.shl (local.get $s3) (i32.const 11)) (i32x4.shr_u (local.get $s3) (i32.const 21))))

        ;; Gather limit[layer] and scaled[layer] lane by lane (no SIMD gather in WebAssembly).
        (local.set $layer (i32.shl (i32.and (i32x4.extract_lane 0 (local.get $word)) (i32.const 255)) (i32.const 2)))
        (local.set $limit (v128.load32_lane 0 (local.get $layer) (local.get $limit)))
        (local.set $scaled (v128.load32_lane offset=1024 0 (local.get $layer) (local.get $scaled)))
        (local.set $layer (i32.shl (i32.and (i32x4.extract_lane 1 (local.get $word)) (i32.const 255)) (i32.const 2)))
        (local.set $limit (v128.load32_lane 1 (local.get $layer) (local.get $limit)))
        (local.set $scaled (v128.load32_lane offset=1024 1 (local.get $layer) (local.get $scaled)))
        (local.set $layer (i32.shl (i32.and (i32x4.extract_lane 2 (local.get $word)) (i32.const 255)) (i32.const 2)))
        (local.set $limit (v128.load32_lane 2 (local.get $layer) (local.get $limit)))
        (local.set $scaled (v128.load32_lane offset=1024 2 (local.get $layer) (local.get $scaled)))
        (local.set $layer (i32.shl (i32.and (i32x4.extract_lane 3 (local.get $word)) (i32.const 255)) (i32.const 2)))
        (local.set $limit (v128.load32_lane 3 (local.get $layer) (local.get $limit)))
        (local.set $scaled (v128.load32_lane offset=1024 3 (local.get $layer) (local.get $scaled)))

        ;; j = word >> 8; the fast test |2j + 1| < ratio·2^24 in integers: (j ^ (j >> 31)) < limit.
        (local.set $j (i32x4.shr_s (local.get $word) (i32.const 8)))
        (local.set $reject
          (i32x4.ge_s (v128.xor (local.get $j) (i32x4.shr_s (local.get $j) (i32.const 31))) (local.get $limit)))
        (local.set $x
          (v128.andnot
            (f32x4.mul
              (f32x4.convert_i32x4_s (i32x4.add (i32x4.shl (local.get $j) (i32.const 1)) (v128.const i32x4 1 1 1 1)))
              (local.get $scaled))
            (local.get $reject)))
        (v128.store (local.get $p) (local.get $x))

        ;; Σ x² in float64 (the float32 squares promoted pairwise).
        (local.set $square (f32x4.mul (local.get $x) (local.get $x)))
        (local.set $sum (f64x2.add (local.get $sum) (f64x2.promote_low_f32x4 (local.get $square))))
        (local.set $sum (f64x2.add (local.get $sum)
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $square) (local.get $square)))))

;; A group with a rejected lane (about 1 in 17) is recorded for the slow path: its words and its address. The
        ;; record is always written and kept only when needed, without a branch (a branch here costs a third of
        ;; the loop's time in mispredictions and spills).
        (v128.store (local.get $rejects) (local.get $word))
        (i32.store offset=16 (local.get $rejects) (local.get $p))
        (local.set $rejects
          (i32.add (local.get $rejects) (select (i32.const 32) (i32.const 0) (v128.any_true (local.get $reject)))))
        (local.set $count (i32.add (local.get $count) (v128.any_true (local.get $reject))))

        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $group (i32.lt_u (local.get $p) (local.get $end)))))

    (v128.store offset=2048 (i32.const 0) (local.get $s0))
    (v128.store offset=2064 (i32.const 0) (local.get $s1))
    (v128.store offset=2080 (i32.const 0) (local.get $s2))
    (v128.store offset=2096 (i32.const 0) (local.get $s3))
    (f64.store offset=2112 (i32.const 0)
      (f64.add (f64x2.extract_lane 0 (local.get $sum)) (f64x2.extract_lane 1 (local.get $sum))))
    (local.get $count)))
