;; keras2tfjs' WebAssembly SIMD kernels for training on tfjs' wasm backend.
;;
;; The module imports the wasm backend's own memory ("tfjs" "memory"), so its kernels read and write
;; tensors where tfjs keeps them: every pointer is a byte offset into that heap, as the backend's
;; `memoryOffset` of a tensor. Assembled by scripts/build_wasm_kernels.mjs into train_kernels_wasm.ts.
;;
;; matmul_tn: out[m, n] (+)= Σ_s a[s, m] · b[s, n], a stored [S, M], b stored [S, N] (row major):
;; the matrix product with the first operand transposed, which is what a Dense or Conv2D kernel
;; gradient is (inputᵀ · upstream gradient) and what tfjs' wasm backend only has as a scalar loop.
;; It is computed as a sum of outer products: for each s, every row m of the output gains
;; a[s, m] · b[s, :], four columns per SIMD multiply-add, s ascending, so each output element is the
;; plain sequential float32 sum over s (the order of a textbook loop; only the order differs from
;; other kernels). Rows of the output are processed in blocks of `mb` rows that stay in L1 cache.
;;
;; Zero skipping: when every b value is finite, a term with a[s, m] == 0 adds exactly ±0 to the
;; running sum, which leaves a sum that started at +0 unchanged bit for bit (a sum started at +0
;; never becomes −0 by adding ±0), so such terms are skipped — and four zero a values at a time by
;; one vector test. Multi-hot inputs (the IMDB model's 10,000-wide 0/1 rows) are mostly zeros. When
;; some b value is Inf or NaN, 0 · b is NaN and must be added: then nothing is skipped.
(module
  (import "tfjs" "memory" (memory 0))

  ;; 1 when all `count` float32 values at `p` are finite, else 0. x − x is 0 for finite x and NaN
  ;; for ±Inf and NaN; the sum of those stays 0 exactly when every value is finite.
  (func $all_finite (param $p i32) (param $count i32) (result i32)
    (local $acc v128) (local $end4 i32) (local $end i32) (local $x v128) (local $s f32) (local $f f32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $p) (local.get $end4)))
        (local.set $x (v128.load (local.get $p)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.sub (local.get $x) (local.get $x))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vec)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $f (f32.load (local.get $p)))
        (local.set $s (f32.add (local.get $s) (f32.sub (local.get $f) (local.get $f))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $tail)))
    (i32.and
      (i32x4.all_true (f32x4.eq (local.get $acc) (local.get $acc)))
      (f32.eq (local.get $s) (local.get $s))))

  ;; out[m, n] = Σ_s a[s, m] · b[s, n] for m < M, n < N; `accumulate` ≠ 0 adds to out instead of
  ;; overwriting it (the caller zeroed it; used when the s range comes in chunks). `mb` ≥ 1: output
  ;; rows per cache block.
  (func (export "matmul_tn")
    (param $a i32) (param $b i32) (param $out i32)
    (param $S i32) (param $M i32) (param $N i32) (param $mb i32) (param $accumulate i32)
    (local $skip i32) (local $rowBytes i32) (local $n4Bytes i32)
    (local $m0 i32) (local $m1 i32) (local $m i32) (local $s i32)
    (local $aRow i32) (local $bRow i32) (local $c i32) (local $cEnd4 i32) (local $cEnd i32) (local $bp i32)
    (local $av f32) (local $avv v128)
    (local.set $rowBytes (i32.shl (local.get $N) (i32.const 2)))
    (local.set $n4Bytes (i32.shl (i32.and (local.get $N) (i32.const -4)) (i32.const 2)))
    (if (i32.eqz (local.get $accumulate))
      (then (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $M) (local.get $rowBytes)))))
    (local.set $skip (call $all_finite (local.get $b) (i32.mul (local.get $S) (local.get $N))))
    (local.set $m0 (i32.const 0))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.ge_u (local.get $m0) (local.get $M)))
        (local.set $m1 (select (i32.add (local.get $m0) (local.get $mb)) (local.get $M)
          (i32.lt_u (i32.add (local.get $m0) (local.get $mb)) (local.get $M))))
        (local.set $s (i32.const 0))
        (block $s_done
          (loop $s_loop
            (br_if $s_done (i32.ge_u (local.get $s) (local.get $S)))
            (local.set $aRow (i32.add (local.get $a) (i32.shl (i32.mul (local.get $s) (local.get $M)) (i32.const 2))))
            (local.set $bRow (i32.add (local.get $b) (i32.mul (local.get $s) (local.get $rowBytes))))
            (local.set $m (local.get $m0))
            (block $m_done
              (loop $m_loop
                (br_if $m_done (i32.ge_u (local.get $m) (local.get $m1)))
                ;; Four a values that are all +0 (bits 0): skip them together.
                (if (i32.and (local.get $skip) (i32.le_u (i32.add (local.get $m) (i32.const 4)) (local.get $m1)))
                  (then
                    (if (i32.eqz (v128.any_true (v128.load (i32.add (local.get $aRow) (i32.shl (local.get $m) (i32.const 2))))))
                      (then
                        (local.set $m (i32.add (local.get $m) (i32.const 4)))
                        (br $m_loop)))))
                (local.set $av (f32.load (i32.add (local.get $aRow) (i32.shl (local.get $m) (i32.const 2)))))
                (if (i32.or (i32.eqz (local.get $skip)) (f32.ne (local.get $av) (f32.const 0)))
                  (then
                    (local.set $avv (f32x4.splat (local.get $av)))
                    (local.set $c (i32.add (local.get $out) (i32.mul (local.get $m) (local.get $rowBytes))))
                    (local.set $cEnd4 (i32.add (local.get $c) (local.get $n4Bytes)))
                    (local.set $cEnd (i32.add (local.get $c) (local.get $rowBytes)))
                    (local.set $bp (local.get $bRow))
                    (block $v_done
                      (loop $v
                        (br_if $v_done (i32.ge_u (local.get $c) (local.get $cEnd4)))
                        (v128.store (local.get $c)
                          (f32x4.add (v128.load (local.get $c)) (f32x4.mul (local.get $avv) (v128.load (local.get $bp)))))
                        (local.set $c (i32.add (local.get $c) (i32.const 16)))
                        (local.set $bp (i32.add (local.get $bp) (i32.const 16)))
                        (br $v)))
                    (block $t_done
                      (loop $t
                        (br_if $t_done (i32.ge_u (local.get $c) (local.get $cEnd)))
                        (f32.store (local.get $c)
                          (f32.add (f32.load (local.get $c)) (f32.mul (local.get $av) (f32.load (local.get $bp)))))
                        (local.set $c (i32.add (local.get $c) (i32.const 4)))
                        (local.set $bp (i32.add (local.get $bp) (i32.const 4)))
                        (br $t)))))
                (local.set $m (i32.add (local.get $m) (i32.const 1)))
                (br $m_loop)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $s_loop)))
        (local.set $m0 (local.get $m1))
        (br $blocks)))))
