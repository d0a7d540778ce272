;; Random-stream kernels for keras2tfjs: TensorFlow's Philox4x32-10 (eight blocks per step, two
;; sets of four interleaved) and JAX's Threefry2x32-20 (two i32x4 vectors per step) in wasm SIMD,
;; with the float conversion or the dropout mask fused in. The readable references are src/random/philox.ts and src/random/threefry.ts;
;; tests check these kernels against them bit for bit.
;;
;; Assembled by scripts/build_wasm_kernels.mjs into random_kernels_wasm.ts (base64); the loader
;; is random_kernels.ts. Both kernels write whole groups (Philox: 32 words, Threefry: 8 words)
;; from a byte address the caller chooses; the caller copies out only the words it asked for.
;;
;; Output modes (the `$mode` parameter, the same for both kernels):
;;   0  raw 32-bit words
;;   1  float32 uniforms in [0, 1): the 23 mantissa bits of the word times 2^-23 (exact)
;;        Philox (TensorFlow): the LOW 23 bits;  Threefry (JAX): the HIGH 23 bits (word >>> 9)
;;   2  dropout mask: f32 `$keep` for kept units, +0.0 for dropped ones, decided on the same
;;      23-bit integer m the uniform would be made of (u = m * 2^-23 exactly):
;;        Philox (TF, keep <=> u >= f32(rate)):    keep <=> m >= $threshold = ceil(f32(rate) * 2^23)
;;        Threefry (JAX, keep <=> u < f32(1-rate)): keep <=> m <  $threshold = ceil(f32(1-rate) * 2^23)
;;      (m < 2^23 and 0 <= threshold <= 2^23, so signed i32 compares are exact.)
(module
  (memory (export "memory") 1)

  ;; Scratch for building counter lanes when a group's 128-bit Philox counter carries past
  ;; its low word (rare): 8 lanes x 4 words at byte 0. Outputs must start at byte 128 or later.
  (global $SCRATCH i32 (i32.const 0))

  ;; Philox4x32-10 over `$groups` groups of 8 consecutive blocks (32 words) starting at the
  ;; 128-bit counter (c3:c2:c1:c0) under key (k0, k1). Block b's 4 words land at
  ;; out[32g + 4b .. 32g + 4b + 3] (word order as TensorFlow fills its output). A group is two
  ;; sets of 4 blocks (x: blocks 0-3, y: blocks 4-7) whose rounds are interleaved.
  (func (export "philox")
    (param $out i32) (param $groups i32)
    (param $k0 i32) (param $k1 i32)
    (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $c3 i32)
    (param $mode i32) (param $threshold i32) (param $keep f32)
    (local $lo i64) (local $hi i64) (local $lane i32) (local $l i64) (local $h i64)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $ka v128) (local $kb v128) (local $round i32)
    (local $p v128) (local $q v128) (local $hi0 v128) (local $lo0 v128) (local $hi1 v128) (local $lo1 v128)
    (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (local $hj0 v128) (local $lj0 v128) (local $hj1 v128) (local $lj1 v128) (local $pass i32)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $key0 v128) (local $key1 v128) (local $thresholdMinus1 v128) (local $keepBits v128)
    (local.set $lo (i64.or (i64.extend_i32_u (local.get $c0))
                           (i64.shl (i64.extend_i32_u (local.get $c1)) (i64.const 32))))
    (local.set $hi (i64.or (i64.extend_i32_u (local.get $c2))
                           (i64.shl (i64.extend_i32_u (local.get $c3)) (i64.const 32))))
    (local.set $key0 (i32x4.splat (local.get $k0)))
    (local.set $key1 (i32x4.splat (local.get $k1)))
    ;; keep <=> m >= T  <=>  m > T - 1 (one signed greater-than per lane)
    (local.set $thresholdMinus1 (i32x4.splat (i32.sub (local.get $threshold) (i32.const 1))))
    (local.set $keepBits (i32x4.splat (i32.reinterpret_f32 (local.get $keep))))
    (block $done
      (loop $group
        (br_if $done (i32.eqz (local.get $groups)))
        ;; Counter lanes: block b of the group uses counter + b (128-bit add).
        (if (i64.le_u (i64.and (local.get $lo) (i64.const 0xffffffff)) (i64.const 0xfffffff8))
          (then
            ;; No carry out of the low word within the group: only word 0 differs per lane.
            (local.set $x0 (i32x4.add (i32x4.splat (i32.wrap_i64 (local.get $lo))) (v128.const i32x4 0 1 2 3)))
            (local.set $x1 (i32x4.splat (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 32)))))
            (local.set $x2 (i32x4.splat (i32.wrap_i64 (local.get $hi))))
            (local.set $x3 (i32x4.splat (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 32)))))
            (local.set $y0 (i32x4.add (local.get $x0) (v128.const i32x4 4 4 4 4)))
            (local.set $y1 (local.get $x1))
            (local.set $y2 (local.get $x2))
            (local.set $y3 (local.get $x3)))
          (else
            ;; Full 128-bit add per lane, written to scratch (lane-major per word), then loaded.
            (local.set $lane (i32.const 0))
            (loop $lanes
              (local.set $l (i64.add (local.get $lo) (i64.extend_i32_u (local.get $lane))))
              (local.set $h (i64.add (local.get $hi) (i64.extend_i32_u (i64.lt_u (local.get $l) (local.get $lo)))))
              (i32.store offset=0 (i32.add (global.get $SCRATCH) (i32.shl (local.get $lane) (i32.const 2)))
                (i32.wrap_i64 (local.get $l)))
              (i32.store offset=32 (i32.add (global.get $SCRATCH) (i32.shl (local.get $lane) (i32.const 2)))
                (i32.wrap_i64 (i64.shr_u (local.get $l) (i64.const 32))))
              (i32.store offset=64 (i32.add (global.get $SCRATCH) (i32.shl (local.get $lane) (i32.const 2)))
                (i32.wrap_i64 (local.get $h)))
              (i32.store offset=96 (i32.add (global.get $SCRATCH) (i32.shl (local.get $lane) (i32.const 2)))
                (i32.wrap_i64 (i64.shr_u (local.get $h) (i64.const 32))))
              (br_if $lanes (i32.lt_u (local.tee $lane (i32.add (local.get $lane) (i32.const 1))) (i32.const 8))))
            (local.set $x0 (v128.load offset=0 (global.get $SCRATCH)))
            (local.set $y0 (v128.load offset=16 (global.get $SCRATCH)))
            (local.set $x1 (v128.load offset=32 (global.get $SCRATCH)))
            (local.set $y1 (v128.load offset=48 (global.get $SCRATCH)))
            (local.set $x2 (v128.load offset=64 (global.get $SCRATCH)))
            (local.set $y2 (v128.load offset=80 (global.get $SCRATCH)))
            (local.set $x3 (v128.load offset=96 (global.get $SCRATCH)))
            (local.set $y3 (v128.load offset=112 (global.get $SCRATCH)))))

        ;; 10 rounds, for this group (x) and the next 4 blocks (y, counter + 4) interleaved.
        ;; Per lane: (hi0, lo0) = x0 * 0xd2511f53, (hi1, lo1) = x2 * 0xcd9e8d57 (64-bit products
        ;; from the u32 x u32 -> u64 extending multiplies, two lanes per half), then
        ;; x0 = hi1 ^ x1 ^ ka, x1 = lo1, x2 = hi0 ^ x3 ^ kb, x3 = lo0; the key gets the Weyl
        ;; increments between rounds (the increment after the last round is never used).
        (local.set $ka (local.get $key0))
        (local.set $kb (local.get $key1))
        (local.set $round (i32.const 10))
        (loop $rounds
          (local.set $p (i64x2.extmul_low_i32x4_u (local.get $x0) (v128.const i32x4 0xd2511f53 0xd2511f53 0xd2511f53 0xd2511f53)))
          (local.set $q (i64x2.extmul_high_i32x4_u (local.get $x0) (v128.const i32x4 0xd2511f53 0xd2511f53 0xd2511f53 0xd2511f53)))
          (local.set $hi0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $p) (local.get $q)))
          (local.set $lo0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $p) (local.get $q)))
          (local.set $p (i64x2.extmul_low_i32x4_u (local.get $x2) (v128.const i32x4 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57)))
          (local.set $q (i64x2.extmul_high_i32x4_u (local.get $x2) (v128.const i32x4 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57)))
          (local.set $hi1 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $p) (local.get $q)))
          (local.set $lo1 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $p) (local.get $q)))
          (local.set $p (i64x2.extmul_low_i32x4_u (local.get $y0) (v128.const i32x4 0xd2511f53 0xd2511f53 0xd2511f53 0xd2511f53)))
          (local.set $q (i64x2.extmul_high_i32x4_u (local.get $y0) (v128.const i32x4 0xd2511f53 0xd2511f53 0xd2511f53 0xd2511f53)))
          (local.set $hj0 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $p) (local.get $q)))
          (local.set $lj0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $p) (local.get $q)))
          (local.set $p (i64x2.extmul_low_i32x4_u (local.get $y2) (v128.const i32x4 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57)))
          (local.set $q (i64x2.extmul_high_i32x4_u (local.get $y2) (v128.const i32x4 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57 0xcd9e8d57)))
          (local.set $hj1 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $p) (local.get $q)))
          (local.set $lj1 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $p) (local.get $q)))
          (local.set $x0 (v128.xor (v128.xor (local.get $hi1) (local.get $x1)) (local.get $ka)))
          (local.set $x2 (v128.xor (v128.xor (local.get $hi0) (local.get $x3)) (local.get $kb)))
          (local.set $x1 (local.get $lo1))
          (local.set $x3 (local.get $lo0))
          (local.set $y0 (v128.xor (v128.xor (local.get $hj1) (local.get $y1)) (local.get $ka)))
          (local.set $y2 (v128.xor (v128.xor (local.get $hj0) (local.get $y3)) (local.get $kb)))
          (local.set $y1 (local.get $lj1))
          (local.set $y3 (local.get $lj0))
          (local.set $ka (i32x4.add (local.get $ka) (v128.const i32x4 0x9e3779b9 0x9e3779b9 0x9e3779b9 0x9e3779b9)))
          (local.set $kb (i32x4.add (local.get $kb) (v128.const i32x4 0xbb67ae85 0xbb67ae85 0xbb67ae85 0xbb67ae85)))
          (br_if $rounds (local.tee $round (i32.sub (local.get $round) (i32.const 1)))))

        ;; Two passes: x (blocks 0-3) to out[0..16), then y (blocks 4-7) to out[16..32).
        (local.set $pass (i32.const 2))
        (loop $passes
        ;; Transpose word-major lanes (x_w = word w of blocks 0..3) to block-major rows.
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x0) (local.get $x1)))
        (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x0) (local.get $x1)))
        (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x2) (local.get $x3)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x2) (local.get $x3)))
        (local.set $r0 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
        (local.set $r1 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
        (local.set $r2 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
        (local.set $r3 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))

        (if (i32.eq (local.get $mode) (i32.const 1))
          (then
            ;; uniform: low 23 bits -> float32 (exact, < 2^23) -> times 2^-23 (exact)
            (local.set $r0 (f32x4.mul (f32x4.convert_i32x4_s (v128.and (local.get $r0) (v128.const i32x4 0x7fffff 0x7fffff 0x7fffff 0x7fffff))) (v128.const f32x4 0x1p-23 0x1p-23 0x1p-23 0x1p-23)))
            (local.set $r1 (f32x4.mul (f32x4.convert_i32x4_s (v128.and (local.get $r1) (v128.const i32x4 0x7fffff 0x7fffff 0x7fffff 0x7fffff))) (v128.const f32x4 0x1p-23 0x1p-23 0x1p-23 0x1p-23)))
            (local.set $r2 (f32x4.mul (f32x4.convert_i32x4_s (v128.and (local.get $r2) (v128.const i32x4 0x7fffff 0x7fffff 0x7fffff 0x7fffff))) (v128.const f32x4 0x1p-23 0x1p-23 0x1p-23 0x1p-23)))
            (local.set $r3 (f32x4.mul (f32x4.convert_i32x4_s (v128.and (local.get $r3) (v128.const i32x4 0x7fffff 0x7fffff 0x7fffff 0x7fffff))) (v128.const f32x4 0x1p-23 0x1p-23 0x1p-23 0x1p-23)))))
        (if (i32.eq (local.get $mode) (i32.const 2))
          (then
            ;; mask: all-ones lanes where m > T - 1, ANDed with the kept value's bits
            (local.set $r0 (v128.and (i32x4.gt_s (v128.and (local.get $r0) (v128.const i32x4 0x7fffff 0x7fffff 0x7fffff 0x7fffff)) (local.get $thresholdMinus1)) (local.get $keepBits)))
            (local.set $r1 (v128.and (i32x4.gt_s (v128.and (local.get $r1) (v128.const i32x4 0x7fffff 0x7fffff 0x7fffff 0x7fffff)) (local.get $thresholdMinus1)) (local.get $keepBits)))
            (local.set $r2 (v128.and (i32x4.gt_s (v128.and (local.get $r2) (v128.const i32x4 0x7fffff 0x7fffff 0x7fffff 0x7fffff)) (local.get $thresholdMinus1)) (local.get $keepBits)))
            (local.set $r3 (v128.and (i32x4.gt_s (v128.and (local.get $r3) (v128.const i32x4 0x7fffff 0x7fffff 0x7fffff 0x7fffff)) (local.get $thresholdMinus1)) (local.get $keepBits)))))
        (v128.store offset=0 (local.get $out) (local.get $r0))
        (v128.store offset=16 (local.get $out) (local.get $r1))
        (v128.store offset=32 (local.get $out) (local.get $r2))
        (v128.store offset=48 (local.get $out) (local.get $r3))

        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (local.set $x0 (local.get $y0))
        (local.set $x1 (local.get $y1))
        (local.set $x2 (local.get $y2))
        (local.set $x3 (local.get $y3))
        (br_if $passes (local.tee $pass (i32.sub (local.get $pass) (i32.const 1)))))
        ;; counter += 8 blocks, carrying from the low 64 bits into the high 64 bits
        (local.set $lo (i64.add (local.get $lo) (i64.const 8)))
        (local.set $hi (i64.add (local.get $hi) (i64.extend_i32_u (i64.lt_u (local.get $lo) (i64.const 8)))))
        (local.set $groups (i32.sub (local.get $groups) (i32.const 1)))
        (br $group))))

  ;; Threefry2x32-20 over `$groups` groups of 8 lanes (two i32x4 vectors, interleaved so their
  ;; dependency chains overlap). Lane j of group g (n = 8g + j) encrypts the counter pair
  ;; (x0 + n * x0Step, x1 + n) under key (k0, k1); the caller keeps x1 + n below 2^32 (and
  ;; x0 + n * x0Step too).
  ;;   JAX partitionable layout: x0 = hi32(first index), x0Step = 0, x1 = lo32(first index),
  ;;     split = 0: out0[n] = y0 ^ y1.
  ;;   JAX original layout: x0 = first j, x0Step = 1, x1 = first j + half,
  ;;     split = 1: out0[n] = y0, out1[n] = y1 (the first and the second half of the output).
  (func (export "threefry")
    (param $out0 i32) (param $out1 i32) (param $groups i32)
    (param $k0 i32) (param $k1 i32)
    (param $x0 i32) (param $x0Step i32) (param $x1 i32) (param $split i32)
    (param $mode i32) (param $threshold i32) (param $keep f32)
    (local $ks2 i32)
    (local $c0 v128) (local $c1 v128) (local $step0 v128) (local $half0 v128)
    (local $a0 v128) (local $b0 v128) (local $a1 v128) (local $b1 v128)
    (local $ks0v v128) (local $ks1v v128) (local $ks2v v128)
    (local $inj1 v128) (local $inj2 v128) (local $inj3 v128) (local $inj4 v128) (local $inj5 v128)
    (local $thresholdV v128) (local $keepBits v128)
    (local.set $ks2 (i32.xor (i32.xor (local.get $k0) (local.get $k1)) (i32.const 0x1bd11bda)))
    (local.set $ks0v (i32x4.splat (local.get $k0)))
    (local.set $ks1v (i32x4.splat (local.get $k1)))
    (local.set $ks2v (i32x4.splat (local.get $ks2)))
    ;; b's key injections after rounds 4, 8, 12, 16, 20 (a's are ks1, ks2, ks0, ks1, ks2)
    (local.set $inj1 (i32x4.splat (i32.add (local.get $ks2) (i32.const 1))))
    (local.set $inj2 (i32x4.splat (i32.add (local.get $k0) (i32.const 2))))
    (local.set $inj3 (i32x4.splat (i32.add (local.get $k1) (i32.const 3))))
    (local.set $inj4 (i32x4.splat (i32.add (local.get $ks2) (i32.const 4))))
    (local.set $inj5 (i32x4.splat (i32.add (local.get $k0) (i32.const 5))))
    (local.set $thresholdV (i32x4.splat (local.get $threshold)))
    (local.set $keepBits (i32x4.splat (i32.reinterpret_f32 (local.get $keep))))
    ;; counters of lanes 0..3; lanes 4..7 are 4 further on; a group moves 8 further on
    (local.set $half0 (i32x4.splat (i32.shl (local.get $x0Step) (i32.const 2))))
    (local.set $step0 (i32x4.splat (i32.shl (local.get $x0Step) (i32.const 3))))
    (local.set $c0 (i32x4.add (i32x4.splat (local.get $x0))
                              (i32x4.mul (i32x4.splat (local.get $x0Step)) (v128.const i32x4 0 1 2 3))))
    (local.set $c1 (i32x4.add (i32x4.splat (local.get $x1)) (v128.const i32x4 0 1 2 3)))
    (block $done
      (loop $group
        (br_if $done (i32.eqz (local.get $groups)))
        (local.set $a0 (i32x4.add (local.get $c0) (local.get $ks0v)))
        (local.set $b0 (i32x4.add (local.get $c1) (local.get $ks1v)))
        (local.set $a1 (i32x4.add (i32x4.add (local.get $c0) (local.get $half0)) (local.get $ks0v)))
        (local.set $b1 (i32x4.add (i32x4.add (local.get $c1) (v128.const i32x4 4 4 4 4)) (local.get $ks1v)))
        ;; 5 x 4 rounds of a += b; b = rotl(b, r) ^ a, with rotations 13 15 26 6 / 17 29 16 24
        ;; alternating (16 and 24 are byte shuffles), each 4 followed by a key injection.
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 13)) (i32x4.shr_u (local.get $b0) (i32.const 19))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 13)) (i32x4.shr_u (local.get $b1) (i32.const 19))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 15)) (i32x4.shr_u (local.get $b0) (i32.const 17))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 15)) (i32x4.shr_u (local.get $b1) (i32.const 17))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 26)) (i32x4.shr_u (local.get $b0) (i32.const 6))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 26)) (i32x4.shr_u (local.get $b1) (i32.const 6))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 6)) (i32x4.shr_u (local.get $b0) (i32.const 26))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 6)) (i32x4.shr_u (local.get $b1) (i32.const 26))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $ks1v)))
        (local.set $b0 (i32x4.add (local.get $b0) (local.get $inj1)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $ks1v)))
        (local.set $b1 (i32x4.add (local.get $b1) (local.get $inj1)))

        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 17)) (i32x4.shr_u (local.get $b0) (i32.const 15))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 17)) (i32x4.shr_u (local.get $b1) (i32.const 15))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 29)) (i32x4.shr_u (local.get $b0) (i32.const 3))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 29)) (i32x4.shr_u (local.get $b1) (i32.const 3))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.get $b0) (local.get $b0)) (local.get $a0)))
        (local.set $b1 (v128.xor (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.get $b1) (local.get $b1)) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (i8x16.shuffle 1 2 3 0 5 6 7 4 9 10 11 8 13 14 15 12 (local.get $b0) (local.get $b0)) (local.get $a0)))
        (local.set $b1 (v128.xor (i8x16.shuffle 1 2 3 0 5 6 7 4 9 10 11 8 13 14 15 12 (local.get $b1) (local.get $b1)) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $ks2v)))
        (local.set $b0 (i32x4.add (local.get $b0) (local.get $inj2)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $ks2v)))
        (local.set $b1 (i32x4.add (local.get $b1) (local.get $inj2)))

        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 13)) (i32x4.shr_u (local.get $b0) (i32.const 19))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 13)) (i32x4.shr_u (local.get $b1) (i32.const 19))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 15)) (i32x4.shr_u (local.get $b0) (i32.const 17))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 15)) (i32x4.shr_u (local.get $b1) (i32.const 17))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 26)) (i32x4.shr_u (local.get $b0) (i32.const 6))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 26)) (i32x4.shr_u (local.get $b1) (i32.const 6))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 6)) (i32x4.shr_u (local.get $b0) (i32.const 26))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 6)) (i32x4.shr_u (local.get $b1) (i32.const 26))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $ks0v)))
        (local.set $b0 (i32x4.add (local.get $b0) (local.get $inj3)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $ks0v)))
        (local.set $b1 (i32x4.add (local.get $b1) (local.get $inj3)))

        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 17)) (i32x4.shr_u (local.get $b0) (i32.const 15))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 17)) (i32x4.shr_u (local.get $b1) (i32.const 15))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 29)) (i32x4.shr_u (local.get $b0) (i32.const 3))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 29)) (i32x4.shr_u (local.get $b1) (i32.const 3))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.get $b0) (local.get $b0)) (local.get $a0)))
        (local.set $b1 (v128.xor (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.get $b1) (local.get $b1)) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (i8x16.shuffle 1 2 3 0 5 6 7 4 9 10 11 8 13 14 15 12 (local.get $b0) (local.get $b0)) (local.get $a0)))
        (local.set $b1 (v128.xor (i8x16.shuffle 1 2 3 0 5 6 7 4 9 10 11 8 13 14 15 12 (local.get $b1) (local.get $b1)) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $ks1v)))
        (local.set $b0 (i32x4.add (local.get $b0) (local.get $inj4)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $ks1v)))
        (local.set $b1 (i32x4.add (local.get $b1) (local.get $inj4)))

        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 13)) (i32x4.shr_u (local.get $b0) (i32.const 19))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 13)) (i32x4.shr_u (local.get $b1) (i32.const 19))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 15)) (i32x4.shr_u (local.get $b0) (i32.const 17))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 15)) (i32x4.shr_u (local.get $b1) (i32.const 17))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 26)) (i32x4.shr_u (local.get $b0) (i32.const 6))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 26)) (i32x4.shr_u (local.get $b1) (i32.const 6))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $b0 (v128.xor (v128.or (i32x4.shl (local.get $b0) (i32.const 6)) (i32x4.shr_u (local.get $b0) (i32.const 26))) (local.get $a0)))
        (local.set $b1 (v128.xor (v128.or (i32x4.shl (local.get $b1) (i32.const 6)) (i32x4.shr_u (local.get $b1) (i32.const 26))) (local.get $a1)))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $ks2v)))
        (local.set $b0 (i32x4.add (local.get $b0) (local.get $inj5)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $ks2v)))
        (local.set $b1 (i32x4.add (local.get $b1) (local.get $inj5)))
        (if (local.get $split)
          (then
            (call $threefryStore (i32.add (local.get $out0) (i32.const 0)) (local.get $a0) (local.get $mode) (local.get $thresholdV) (local.get $keepBits))
            (call $threefryStore (i32.add (local.get $out0) (i32.const 16)) (local.get $a1) (local.get $mode) (local.get $thresholdV) (local.get $keepBits))
            (call $threefryStore (i32.add (local.get $out1) (i32.const 0)) (local.get $b0) (local.get $mode) (local.get $thresholdV) (local.get $keepBits))
            (call $threefryStore (i32.add (local.get $out1) (i32.const 16)) (local.get $b1) (local.get $mode) (local.get $thresholdV) (local.get $keepBits))
            (local.set $out1 (i32.add (local.get $out1) (i32.const 32))))
          (else
            (call $threefryStore (i32.add (local.get $out0) (i32.const 0)) (v128.xor (local.get $a0) (local.get $b0)) (local.get $mode) (local.get $thresholdV) (local.get $keepBits))
            (call $threefryStore (i32.add (local.get $out0) (i32.const 16)) (v128.xor (local.get $a1) (local.get $b1)) (local.get $mode) (local.get $thresholdV) (local.get $keepBits))))
        (local.set $out0 (i32.add (local.get $out0) (i32.const 32)))
        (local.set $c0 (i32x4.add (local.get $c0) (local.get $step0)))
        (local.set $c1 (i32x4.add (local.get $c1) (v128.const i32x4 8 8 8 8)))
        (local.set $groups (i32.sub (local.get $groups) (i32.const 1)))
        (br $group))))

  ;; Stores 4 Threefry words at `$at` in output mode `$mode` (see the top of this file).
  (func $threefryStore (param $at i32) (param $w v128) (param $mode i32) (param $thresholdV v128) (param $keepBits v128)
    (local $m v128)
    (if (i32.eqz (local.get $mode))
      (then (v128.store (local.get $at) (local.get $w)) (return)))
    (local.set $m (i32x4.shr_u (local.get $w) (i32.const 9)))
    (if (i32.eq (local.get $mode) (i32.const 1))
      (then
        (v128.store (local.get $at)
          (f32x4.mul (f32x4.convert_i32x4_s (local.get $m)) (v128.const f32x4 0x1p-23 0x1p-23 0x1p-23 0x1p-23)))
        (return)))
    ;; mask: keep <=> m < T
    (v128.store (local.get $at) (v128.and (i32x4.gt_s (local.get $thresholdV) (local.get $m)) (local.get $keepBits))))
)
