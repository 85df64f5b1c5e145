;; The ziggurat normal generator (see ziggurat.ts) in WebAssembly. The fast path runs four streams at once in
;; SIMD: four xoshiro128** generators, one per i32x4 lane, each word giving one draw. A draw whose fast test fails
;; (about 1 in 70) is written as 0 and its group of four recorded; `resolve` then replaces it by the exact slow
;; path (Doornik's), on a fifth generator, with the host's exp and log.
;;
;; Assembled by `npm run wasm` (wabt) into zigguratWasm.ts; a unit test checks that the two agree.
;;
;; Memory layout (bytes):
;;      0  limit   i32[256]   fast test: accept when a < limit[layer], a = |j + 1/2| − 1/2
;;   1024  scaled  f32[256]   scale · edge[layer] · 2^-24, so that x = (2j + 1) · scaled[layer]
;;   2048  state   v128[4]    s0, s1, s2, s3 of the four xoshiro128** lanes (lane i = stream i)
;;   2112  sum     f64        Σ x² over the accepted draws of the last fill
;;   2128  slow    i32[4]     the slow path's xoshiro128** state
;;   4096  edge    f64[257]   right edges of the layers (edge[0]: the base layer's pseudo-edge, edge[256] = 0)
;;   6152  density f64[257]   exp(−edge²/2)
;;   8208  free: the caller puts the records and the output there
;;
;; A word w gives layer = w & 255 and j = w >> 8 (arithmetic: a signed 24-bit integer), so u = (2j + 1)·2^-24 is
;; uniform on (−1, 1), symmetric, exact in float32.
(module
  (import "host" "exp" (func $exp (param f64) (result f64)))
  (import "host" "log" (func $log (param f64) (result f64)))
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
    (local.get $count))

  ;; The slow path's generator: the next xoshiro128** word, and a uniform on (0, 1).
  (func $next (result i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $m i32) (local $t i32)
    (local.set $s0 (i32.load offset=2128 (i32.const 0)))
    (local.set $s1 (i32.load offset=2132 (i32.const 0)))
    (local.set $s2 (i32.load offset=2136 (i32.const 0)))
    (local.set $s3 (i32.load offset=2140 (i32.const 0)))
    (local.set $m (i32.mul (local.get $s1) (i32.const 5)))
    (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
    (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
    (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
    (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
    (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
    (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
    (i32.store offset=2128 (i32.const 0) (local.get $s0))
    (i32.store offset=2132 (i32.const 0) (local.get $s1))
    (i32.store offset=2136 (i32.const 0) (local.get $s2))
    (i32.store offset=2140 (i32.const 0) (i32.rotl (local.get $s3) (i32.const 11)))
    (i32.mul (i32.rotl (local.get $m) (i32.const 7)) (i32.const 9)))

  (func $uniform (result f64)
    (f64.mul (f64.add (f64.convert_i32_u (call $next)) (f64.const 0.5)) (f64.const 0x1p-32)))

  ;; One normal (unscaled) for a draw that failed the fast test with uniform u on layer `layer`.
  (func $slow (param $u f64) (param $layer i32) (result f64)
    (local $x f64) (local $y f64) (local $v f64) (local $f1 f64) (local $e1 f64) (local $height f64)
    (local $d f64) (local $below f64) (local $word i32) (local $j i32)
    (loop $retry (result f64)
      ;; The base layer's tail beyond R = edge[1] (Marsaglia's method).
      (if (i32.eqz (local.get $layer))
        (then
          (loop $tail
            (local.set $x (f64.div (call $log (call $uniform)) (f64.load offset=4104 (i32.const 0))))
            (local.set $y (call $log (call $uniform)))
            (br_if $tail (f64.lt (f64.mul (f64.const -2) (local.get $y)) (f64.mul (local.get $x) (local.get $x)))))
          (return (select
            (f64.sub (local.get $x) (f64.load offset=4104 (i32.const 0)))
            (f64.sub (f64.load offset=4104 (i32.const 0)) (local.get $x))
            (f64.lt (local.get $u) (f64.const 0))))))
      ;; The wedge between the layer's edges: keep v when a uniform height in [f(edge[layer]), f(edge[layer+1])]
      ;; is under the density f(v) = f1·exp(−d), d = (v² − edge[layer+1]²)/2 ≥ 0; 1 − d ≤ exp(−d) ≤ 1 − d + d²/2
      ;; decides most heights without the exp.
      (local.set $v (f64.mul (local.get $u) (f64.load offset=4096 (i32.shl (local.get $layer) (i32.const 3)))))
      (local.set $f1 (f64.load offset=6160 (i32.shl (local.get $layer) (i32.const 3))))
      (local.set $e1 (f64.load offset=4104 (i32.shl (local.get $layer) (i32.const 3))))
      (local.set $height (f64.add (local.get $f1)
        (f64.mul (call $uniform) (f64.sub (f64.load offset=6152 (i32.shl (local.get $layer) (i32.const 3))) (local.get $f1)))))
      (local.set $d (f64.mul (f64.const 0.5)
        (f64.sub (f64.mul (local.get $v) (local.get $v)) (f64.mul (local.get $e1) (local.get $e1)))))
      (local.set $below (f64.mul (local.get $f1) (f64.sub (f64.const 1) (local.get $d))))
      (if (f64.lt (local.get $height) (local.get $below)) (then (return (local.get $v))))
      (if (f64.lt (local.get $height)
            (f64.add (local.get $below) (f64.mul (f64.mul (f64.mul (f64.const 0.5) (local.get $f1)) (local.get $d)) (local.get $d))))
        (then
          (if (f64.lt (local.get $height) (call $exp (f64.mul (f64.mul (f64.const -0.5) (local.get $v)) (local.get $v))))
            (then (return (local.get $v))))))
      ;; Rejected: a fresh draw, through the fast test again.
      (local.set $word (call $next))
      (local.set $layer (i32.and (local.get $word) (i32.const 255)))
      (local.set $j (i32.shr_s (local.get $word) (i32.const 8)))
      (local.set $u (f64.mul (f64.convert_i32_s (i32.add (i32.shl (local.get $j) (i32.const 1)) (i32.const 1))) (f64.const 0x1p-24)))
      (if (i32.lt_s (i32.xor (local.get $j) (i32.shr_s (local.get $j) (i32.const 31))) (i32.load (i32.shl (local.get $layer) (i32.const 2))))
        (then (return (f64.mul (local.get $u) (f64.load offset=4096 (i32.shl (local.get $layer) (i32.const 3)))))))
      (br $retry)))

  ;; resolve(records, count, scale) → Σx² of the values it wrote: for each recorded group (see fill), the lanes
  ;; that failed the fast test get scale times their slow-path normal, as float32, at their place in the output.
  (func (export "resolve") (param $records i32) (param $count i32) (param $scale f64) (result f64)
    (local $end i32) (local $lane i32) (local $word i32) (local $j i32) (local $at i32) (local $x f32) (local $sum f64)
    (local.set $end (i32.add (local.get $records) (i32.shl (local.get $count) (i32.const 5))))
    (block $done
      (br_if $done (i32.ge_u (local.get $records) (local.get $end)))
      (loop $record
        (local.set $lane (i32.const 0))
        (loop $lanes
          (local.set $word (i32.load (i32.add (local.get $records) (i32.shl (local.get $lane) (i32.const 2)))))
          (local.set $j (i32.shr_s (local.get $word) (i32.const 8)))
          (if (i32.ge_s (i32.xor (local.get $j) (i32.shr_s (local.get $j) (i32.const 31)))
                (i32.load (i32.shl (i32.and (local.get $word) (i32.const 255)) (i32.const 2))))
            (then
              (local.set $x (f32.demote_f64 (f64.mul (local.get $scale)
                (call $slow
                  (f64.mul (f64.convert_i32_s (i32.add (i32.shl (local.get $j) (i32.const 1)) (i32.const 1))) (f64.const 0x1p-24))
                  (i32.and (local.get $word) (i32.const 255))))))
              (local.set $at (i32.add (i32.load offset=16 (local.get $records)) (i32.shl (local.get $lane) (i32.const 2))))
              (f32.store (local.get $at) (local.get $x))
              (local.set $sum (f64.add (local.get $sum)
                (f64.mul (f64.promote_f32 (local.get $x)) (f64.promote_f32 (local.get $x)))))))
          (local.set $lane (i32.add (local.get $lane) (i32.const 1)))
          (br_if $lanes (i32.lt_u (local.get $lane) (i32.const 4))))
        (local.set $records (i32.add (local.get $records) (i32.const 32)))
        (br_if $record (i32.lt_u (local.get $records) (local.get $end)))))
    (local.get $sum)))
