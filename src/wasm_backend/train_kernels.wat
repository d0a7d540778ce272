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
;;
;; sum_rows: column sums of a [rows, cols] matrix, each the sequential float32 sum from +0 over
;; the rows: tfjs' Sum over leading axes (a bias gradient), without the transpose tfjs makes first.
;; im2col / col2im: the patch matrix of a 2-D convolution (NHWC) and its transpose's scatter-add.
;; max_pool_grad: each window's gradient to its first largest input, four channels per vector.
;; The conv and pool geometry comes as one block of 13 i32 at `geometry` (see GEOMETRY below).
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

  ;; c[n] = c[n] + a0·b0[n] for n < N (b0 = b), four columns per SIMD step, then the tail.
  (func $axpy1 (param $c i32) (param $b i32) (param $rowBytes i32) (param $n4Bytes i32) (param $a0 f32)
    (local $cEnd4 i32) (local $cEnd i32) (local $v0 v128)
    (local.set $v0 (f32x4.splat (local.get $a0)))
    (local.set $cEnd4 (i32.add (local.get $c) (local.get $n4Bytes)))
    (local.set $cEnd (i32.add (local.get $c) (local.get $rowBytes)))
    (block $v_done
      (loop $v
        (br_if $v_done (i32.ge_u (local.get $c) (local.get $cEnd4)))
        (v128.store (local.get $c)
          (f32x4.add (v128.load (local.get $c)) (f32x4.mul (local.get $v0) (v128.load (local.get $b)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br $v)))
    (block $t_done
      (loop $t
        (br_if $t_done (i32.ge_u (local.get $c) (local.get $cEnd)))
        (f32.store (local.get $c)
          (f32.add (f32.load (local.get $c)) (f32.mul (local.get $a0) (f32.load (local.get $b)))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $t))))

  ;; c[n] = (((c[n] + a0·b0[n]) + a1·b1[n]) + a2·b2[n]) + a3·b3[n], b_i = b + i·rowBytes: four
  ;; terms of the sequential sum per load and store of c (the same sums, in the same order, as
  ;; four $axpy1 calls).
  (func $axpy4 (param $c i32) (param $b i32) (param $rowBytes i32) (param $n4Bytes i32)
    (param $a0 f32) (param $a1 f32) (param $a2 f32) (param $a3 f32)
    (local $cEnd4 i32) (local $cEnd i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $f f32)
    (local.set $v0 (f32x4.splat (local.get $a0)))
    (local.set $v1 (f32x4.splat (local.get $a1)))
    (local.set $v2 (f32x4.splat (local.get $a2)))
    (local.set $v3 (f32x4.splat (local.get $a3)))
    (local.set $b1 (i32.add (local.get $b) (local.get $rowBytes)))
    (local.set $b2 (i32.add (local.get $b1) (local.get $rowBytes)))
    (local.set $b3 (i32.add (local.get $b2) (local.get $rowBytes)))
    (local.set $cEnd4 (i32.add (local.get $c) (local.get $n4Bytes)))
    (local.set $cEnd (i32.add (local.get $c) (local.get $rowBytes)))
    (block $v_done
      (loop $v
        (br_if $v_done (i32.ge_u (local.get $c) (local.get $cEnd4)))
        (v128.store (local.get $c)
          (f32x4.add
            (f32x4.add
              (f32x4.add
                (f32x4.add (v128.load (local.get $c)) (f32x4.mul (local.get $v0) (v128.load (local.get $b))))
                (f32x4.mul (local.get $v1) (v128.load (local.get $b1))))
              (f32x4.mul (local.get $v2) (v128.load (local.get $b2))))
            (f32x4.mul (local.get $v3) (v128.load (local.get $b3)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $b1 (i32.add (local.get $b1) (i32.const 16)))
        (local.set $b2 (i32.add (local.get $b2) (i32.const 16)))
        (local.set $b3 (i32.add (local.get $b3) (i32.const 16)))
        (br $v)))
    (block $t_done
      (loop $t
        (br_if $t_done (i32.ge_u (local.get $c) (local.get $cEnd)))
        (local.set $f (f32.add (f32.load (local.get $c)) (f32.mul (local.get $a0) (f32.load (local.get $b)))))
        (local.set $f (f32.add (local.get $f) (f32.mul (local.get $a1) (f32.load (local.get $b1)))))
        (local.set $f (f32.add (local.get $f) (f32.mul (local.get $a2) (f32.load (local.get $b2)))))
        (f32.store (local.get $c) (f32.add (local.get $f) (f32.mul (local.get $a3) (f32.load (local.get $b3)))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (local.set $b1 (i32.add (local.get $b1) (i32.const 4)))
        (local.set $b2 (i32.add (local.get $b2) (i32.const 4)))
        (local.set $b3 (i32.add (local.get $b3) (i32.const 4)))
        (br $t))))

  ;; Row m of the output gains the terms s..s+3 (a0..a3 = a[s..s+3, m]) unless skipping is on and
  ;; all four are zero.
  (func $row4 (param $c i32) (param $b i32) (param $rowBytes i32) (param $n4Bytes i32) (param $skip i32)
    (param $a0 f32) (param $a1 f32) (param $a2 f32) (param $a3 f32)
    (if (i32.and (local.get $skip)
          (i32.and
            (i32.and (f32.eq (local.get $a0) (f32.const 0)) (f32.eq (local.get $a1) (f32.const 0)))
            (i32.and (f32.eq (local.get $a2) (f32.const 0)) (f32.eq (local.get $a3) (f32.const 0)))))
      (then (return)))
    (call $axpy4 (local.get $c) (local.get $b) (local.get $rowBytes) (local.get $n4Bytes)
      (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)))

  ;; out[m, n] = Σ_s a[s, m] · b[s, n] for m < M, n < N; `accumulate` ≠ 0 adds to out instead of
  ;; overwriting it (the caller zeroed it; used when the s range comes in chunks). `mb` ≥ 4: output
  ;; rows per cache block. Terms are added four s at a time ($axpy4) for four rows m at a time
  ;; (one vector load of a per s), and a 4×4 tile of a that is all zero is skipped with one test.
  (func (export "matmul_tn")
    (param $a i32) (param $b i32) (param $out i32)
    (param $S i32) (param $M i32) (param $N i32) (param $mb i32) (param $accumulate i32)
    (local $skip i32) (local $rowBytes i32) (local $n4Bytes i32) (local $aStride i32)
    (local $m0 i32) (local $m1 i32) (local $m i32) (local $s i32) (local $p i32) (local $c i32)
    (local $aRow i32) (local $bRow i32) (local $av f32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local.set $rowBytes (i32.shl (local.get $N) (i32.const 2)))
    (local.set $n4Bytes (i32.shl (i32.and (local.get $N) (i32.const -4)) (i32.const 2)))
    (local.set $aStride (i32.shl (local.get $M) (i32.const 2)))
    (if (i32.eqz (local.get $accumulate))
      (then (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $M) (local.get $rowBytes)))))
    (local.set $skip (call $all_finite (local.get $b) (i32.mul (local.get $S) (local.get $N))))
    (local.set $m0 (i32.const 0))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.ge_u (local.get $m0) (local.get $M)))
        (local.set $m1 (select (i32.add (local.get $m0) (local.get $mb)) (local.get $M)
          (i32.lt_u (i32.add (local.get $m0) (local.get $mb)) (local.get $M))))
        ;; s in fours
        (local.set $s (i32.const 0))
        (block $s4_done
          (loop $s4
            (br_if $s4_done (i32.gt_u (i32.add (local.get $s) (i32.const 4)) (local.get $S)))
            (local.set $aRow (i32.add (local.get $a) (i32.mul (local.get $s) (local.get $aStride))))
            (local.set $bRow (i32.add (local.get $b) (i32.mul (local.get $s) (local.get $rowBytes))))
            (local.set $m (local.get $m0))
            (block $m4_done
              (loop $m4
                (br_if $m4_done (i32.gt_u (i32.add (local.get $m) (i32.const 4)) (local.get $m1)))
                (local.set $p (i32.add (local.get $aRow) (i32.shl (local.get $m) (i32.const 2))))
                (local.set $x0 (v128.load (local.get $p)))
                (local.set $x1 (v128.load (i32.add (local.get $p) (local.get $aStride))))
                (local.set $x2 (v128.load (i32.add (local.get $p) (i32.shl (local.get $aStride) (i32.const 1)))))
                (local.set $x3 (v128.load (i32.add (local.get $p) (i32.mul (local.get $aStride) (i32.const 3)))))
                (if (i32.or (i32.eqz (local.get $skip))
                      (v128.any_true (v128.or (v128.or (local.get $x0) (local.get $x1)) (v128.or (local.get $x2) (local.get $x3)))))
                  (then
                    (local.set $c (i32.add (local.get $out) (i32.mul (local.get $m) (local.get $rowBytes))))
                    (call $row4 (local.get $c) (local.get $bRow) (local.get $rowBytes) (local.get $n4Bytes) (local.get $skip)
                      (f32x4.extract_lane 0 (local.get $x0)) (f32x4.extract_lane 0 (local.get $x1))
                      (f32x4.extract_lane 0 (local.get $x2)) (f32x4.extract_lane 0 (local.get $x3)))
                    (local.set $c (i32.add (local.get $c) (local.get $rowBytes)))
                    (call $row4 (local.get $c) (local.get $bRow) (local.get $rowBytes) (local.get $n4Bytes) (local.get $skip)
                      (f32x4.extract_lane 1 (local.get $x0)) (f32x4.extract_lane 1 (local.get $x1))
                      (f32x4.extract_lane 1 (local.get $x2)) (f32x4.extract_lane 1 (local.get $x3)))
                    (local.set $c (i32.add (local.get $c) (local.get $rowBytes)))
                    (call $row4 (local.get $c) (local.get $bRow) (local.get $rowBytes) (local.get $n4Bytes) (local.get $skip)
                      (f32x4.extract_lane 2 (local.get $x0)) (f32x4.extract_lane 2 (local.get $x1))
                      (f32x4.extract_lane 2 (local.get $x2)) (f32x4.extract_lane 2 (local.get $x3)))
                    (local.set $c (i32.add (local.get $c) (local.get $rowBytes)))
                    (call $row4 (local.get $c) (local.get $bRow) (local.get $rowBytes) (local.get $n4Bytes) (local.get $skip)
                      (f32x4.extract_lane 3 (local.get $x0)) (f32x4.extract_lane 3 (local.get $x1))
                      (f32x4.extract_lane 3 (local.get $x2)) (f32x4.extract_lane 3 (local.get $x3)))))
                (local.set $m (i32.add (local.get $m) (i32.const 4)))
                (br $m4)))
            ;; the block's last rows when it is not a multiple of four
            (block $m1_done
              (loop $m1_loop
                (br_if $m1_done (i32.ge_u (local.get $m) (local.get $m1)))
                (local.set $p (i32.add (local.get $aRow) (i32.shl (local.get $m) (i32.const 2))))
                (call $row4 (i32.add (local.get $out) (i32.mul (local.get $m) (local.get $rowBytes)))
                  (local.get $bRow) (local.get $rowBytes) (local.get $n4Bytes) (local.get $skip)
                  (f32.load (local.get $p))
                  (f32.load (i32.add (local.get $p) (local.get $aStride)))
                  (f32.load (i32.add (local.get $p) (i32.shl (local.get $aStride) (i32.const 1))))
                  (f32.load (i32.add (local.get $p) (i32.mul (local.get $aStride) (i32.const 3)))))
                (local.set $m (i32.add (local.get $m) (i32.const 1)))
                (br $m1_loop)))
            (local.set $s (i32.add (local.get $s) (i32.const 4)))
            (br $s4)))
        ;; the last S mod 4 terms, one s at a time
        (block $s_done
          (loop $s_loop
            (br_if $s_done (i32.ge_u (local.get $s) (local.get $S)))
            (local.set $aRow (i32.add (local.get $a) (i32.mul (local.get $s) (local.get $aStride))))
            (local.set $bRow (i32.add (local.get $b) (i32.mul (local.get $s) (local.get $rowBytes))))
            (local.set $m (local.get $m0))
            (block $m_done
              (loop $m_loop
                (br_if $m_done (i32.ge_u (local.get $m) (local.get $m1)))
                (local.set $av (f32.load (i32.add (local.get $aRow) (i32.shl (local.get $m) (i32.const 2)))))
                (if (i32.or (i32.eqz (local.get $skip)) (f32.ne (local.get $av) (f32.const 0)))
                  (then
                    (call $axpy1 (i32.add (local.get $out) (i32.mul (local.get $m) (local.get $rowBytes)))
                      (local.get $bRow) (local.get $rowBytes) (local.get $n4Bytes) (local.get $av))))
                (local.set $m (i32.add (local.get $m) (i32.const 1)))
                (br $m_loop)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $s_loop)))
        (local.set $m0 (local.get $m1))
        (br $blocks))))

  ;; Copies n float32 from src to dst (non-overlapping), four at a time, then the tail.
  (func $copy (param $dst i32) (param $src i32) (param $n i32)
    (local $end4 i32) (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $dst) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $v_done
      (loop $v
        (br_if $v_done (i32.ge_u (local.get $dst) (local.get $end4)))
        (v128.store (local.get $dst) (v128.load (local.get $src)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $v)))
    (block $t_done
      (loop $t
        (br_if $t_done (i32.ge_u (local.get $dst) (local.get $end)))
        (f32.store (local.get $dst) (f32.load (local.get $src)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br $t))))

  ;; dst[i] += src[i] for i < n, four at a time, then the tail.
  (func $add_into (param $dst i32) (param $src i32) (param $n i32)
    (local $end4 i32) (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $dst) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $v_done
      (loop $v
        (br_if $v_done (i32.ge_u (local.get $dst) (local.get $end4)))
        (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $v)))
    (block $t_done
      (loop $t
        (br_if $t_done (i32.ge_u (local.get $dst) (local.get $end)))
        (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br $t))))

  ;; out[j] = Σ_i x[i, j] (i ascending, from +0) for j < cols.
  (func (export "sum_rows") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $i i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0) (local.get $rowBytes))
    (block $done
      (loop $rows_loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $rows)))
        (call $add_into (local.get $out) (local.get $x) (local.get $cols))
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows_loop))))

  ;; GEOMETRY, 13 i32 at `geometry`: batch, inHeight, inWidth, channels, outHeight, outWidth,
  ;; strideHeight, strideWidth, filterHeight, filterWidth, padTop, padLeft, (unused).
  ;; Windows are (b, oy, ox): rows oy·strideHeight − padTop + [0, filterHeight), likewise columns.

  ;; Rows [first, first + rows) of the patch matrix: per output position, the window's
  ;; filterHeight × filterWidth × channels inputs (zeros where it hangs over the padding).
  ;; mode 0 (im2col): p[row] = window values; mode 1 (col2im): x[window] += p[row], after x = 0
  ;; when first = 0 — the scatter-add of the transposed product, positions in order.
  (func $windows (param $x i32) (param $p i32) (param $geometry i32) (param $first i32) (param $rows i32) (param $mode i32)
    (local $inH i32) (local $inW i32) (local $C i32) (local $outH i32) (local $outW i32)
    (local $sH i32) (local $sW i32) (local $fH i32) (local $fW i32) (local $top i32) (local $left i32)
    (local $r i32) (local $b i32) (local $oy i32) (local $ox i32)
    (local $kh i32) (local $kw i32) (local $iy i32) (local $ix i32) (local $x0 i32) (local $cBytes i32) (local $rowFloats i32)
    (local $imageRow i32) (local $inside i32)
    (local.set $inH (i32.load offset=4 (local.get $geometry)))
    (local.set $inW (i32.load offset=8 (local.get $geometry)))
    (local.set $C (i32.load offset=12 (local.get $geometry)))
    (local.set $outH (i32.load offset=16 (local.get $geometry)))
    (local.set $outW (i32.load offset=20 (local.get $geometry)))
    (local.set $sH (i32.load offset=24 (local.get $geometry)))
    (local.set $sW (i32.load offset=28 (local.get $geometry)))
    (local.set $fH (i32.load offset=32 (local.get $geometry)))
    (local.set $fW (i32.load offset=36 (local.get $geometry)))
    (local.set $top (i32.load offset=40 (local.get $geometry)))
    (local.set $left (i32.load offset=44 (local.get $geometry)))
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowFloats (i32.mul (local.get $fW) (local.get $C)))
    (if (i32.and (i32.eq (local.get $mode) (i32.const 1)) (i32.eqz (local.get $first)))
      (then (memory.fill (local.get $x) (i32.const 0)
        (i32.mul (i32.mul (i32.mul (i32.load offset=0 (local.get $geometry)) (local.get $inH)) (local.get $inW)) (local.get $cBytes)))))
    ;; (b, oy, ox) of the first row, then counted up row by row
    (local.set $ox (i32.rem_u (local.get $first) (local.get $outW)))
    (local.set $oy (i32.rem_u (i32.div_u (local.get $first) (local.get $outW)) (local.get $outH)))
    (local.set $b (i32.div_u (local.get $first) (i32.mul (local.get $outW) (local.get $outH))))
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $x0 (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $left)))
        (local.set $inside (i32.and (i32.ge_s (local.get $x0) (i32.const 0)) (i32.le_s (i32.add (local.get $x0) (local.get $fW)) (local.get $inW))))
        (local.set $kh (i32.const 0))
        (block $kh_done
          (loop $kh_loop
            (br_if $kh_done (i32.ge_u (local.get $kh) (local.get $fH)))
            (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sH)) (local.get $top)) (local.get $kh)))
            ;; byte address of pixel (b, iy, 0)
            (local.set $imageRow (i32.add (local.get $x)
              (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $iy)) (local.get $inW)) (local.get $cBytes))))
            (if (i32.and (local.get $inside) (i32.lt_u (local.get $iy) (local.get $inH)))
              (then
                ;; the window's row lies inside the image: filterWidth × channels contiguous values
                (call $move (local.get $mode) (i32.add (local.get $imageRow) (i32.mul (local.get $x0) (local.get $cBytes)))
                  (local.get $p) (local.get $rowFloats))
                (local.set $p (i32.add (local.get $p) (i32.shl (local.get $rowFloats) (i32.const 2)))))
              (else
                (local.set $kw (i32.const 0))
                (block $kw_done
                  (loop $kw_loop
                    (br_if $kw_done (i32.ge_u (local.get $kw) (local.get $fW)))
                    (local.set $ix (i32.add (local.get $x0) (local.get $kw)))
                    (if (i32.and (i32.lt_u (local.get $iy) (local.get $inH)) (i32.lt_u (local.get $ix) (local.get $inW)))  ;; unsigned: negatives are out too
                      (then (call $move (local.get $mode) (i32.add (local.get $imageRow) (i32.mul (local.get $ix) (local.get $cBytes)))
                        (local.get $p) (local.get $C)))
                      (else (if (i32.eqz (local.get $mode)) (then (memory.fill (local.get $p) (i32.const 0) (local.get $cBytes))))))
                    (local.set $p (i32.add (local.get $p) (local.get $cBytes)))
                    (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                    (br $kw_loop)))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $kh_loop)))
        ;; next position
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (if (i32.eq (local.get $ox) (local.get $outW))
          (then
            (local.set $ox (i32.const 0))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (if (i32.eq (local.get $oy) (local.get $outH))
              (then (local.set $oy (i32.const 0)) (local.set $b (i32.add (local.get $b) (i32.const 1)))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows_loop))))

  ;; mode 0: p[0..n) = image[0..n); mode 1: image[0..n) += p[0..n). Fewer than four values are
  ;; moved inline (one-channel images move three at a time).
  (func $move (param $mode i32) (param $image i32) (param $p i32) (param $n i32)
    (if (i32.ge_u (local.get $n) (i32.const 4))
      (then
        (if (local.get $mode)
          (then (call $add_into (local.get $image) (local.get $p) (local.get $n)))
          (else (call $copy (local.get $p) (local.get $image) (local.get $n))))
        (return)))
    (block $done
      (loop $each
        (br_if $done (i32.eqz (local.get $n)))
        (if (local.get $mode)
          (then (f32.store (local.get $image) (f32.add (f32.load (local.get $image)) (f32.load (local.get $p)))))
          (else (f32.store (local.get $p) (f32.load (local.get $image)))))
        (local.set $image (i32.add (local.get $image) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $each))))

  (func (export "im2col") (param $x i32) (param $p i32) (param $geometry i32) (param $first i32) (param $rows i32)
    (call $windows (local.get $x) (local.get $p) (local.get $geometry) (local.get $first) (local.get $rows) (i32.const 0)))

  ;; dx = 0, then every row of the patch matrix dp is added to the inputs its window covers.
  (func (export "col2im") (param $dp i32) (param $dx i32) (param $geometry i32)
    (call $windows (local.get $dx) (local.get $dp) (local.get $geometry) (i32.const 0)
      (i32.mul (i32.mul (i32.load offset=0 (local.get $geometry)) (i32.load offset=16 (local.get $geometry))) (i32.load offset=20 (local.get $geometry)))
      (i32.const 1)))

  ;; dx = 0, then for each window (b, oy, ox) and channel c, in that order, dx at the window's
  ;; first largest x (strictly greater than all before it, rows then columns, from −∞; none if
  ;; every value is NaN) gains dy[b, oy, ox, c]. Four channels per vector: best value and index
  ;; per lane with a compare and two selects; the four adds are scalar.
  (func (export "max_pool_grad") (param $x i32) (param $dy i32) (param $dx i32) (param $geometry i32)
    (local $batch i32) (local $inH i32) (local $inW i32) (local $C i32) (local $outH i32) (local $outW i32)
    (local $sH i32) (local $sW i32) (local $fH i32) (local $fW i32) (local $top i32) (local $left i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $c i32) (local $C4 i32)
    (local $y0 i32) (local $y1 i32) (local $x0 i32) (local $x1 i32) (local $iy i32) (local $ix i32) (local $i i32)
    (local $best v128) (local $at v128) (local $v v128) (local $gt v128) (local $lanes v128)
    (local $bestS f32) (local $atS i32) (local $vS f32) (local $k i32)
    (local.set $batch (i32.load offset=0 (local.get $geometry)))
    (local.set $inH (i32.load offset=4 (local.get $geometry)))
    (local.set $inW (i32.load offset=8 (local.get $geometry)))
    (local.set $C (i32.load offset=12 (local.get $geometry)))
    (local.set $outH (i32.load offset=16 (local.get $geometry)))
    (local.set $outW (i32.load offset=20 (local.get $geometry)))
    (local.set $sH (i32.load offset=24 (local.get $geometry)))
    (local.set $sW (i32.load offset=28 (local.get $geometry)))
    (local.set $fH (i32.load offset=32 (local.get $geometry)))
    (local.set $fW (i32.load offset=36 (local.get $geometry)))
    (local.set $top (i32.load offset=40 (local.get $geometry)))
    (local.set $left (i32.load offset=44 (local.get $geometry)))
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $lanes (v128.const i32x4 0 1 2 3))
    (memory.fill (local.get $dx) (i32.const 0)
      (i32.shl (i32.mul (i32.mul (i32.mul (local.get $batch) (local.get $inH)) (local.get $inW)) (local.get $C)) (i32.const 2)))
    (local.set $b (i32.const 0))
    (block $b_done (loop $b_loop
      (br_if $b_done (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $oy (i32.const 0))
      (block $oy_done (loop $oy_loop
        (br_if $oy_done (i32.ge_u (local.get $oy) (local.get $outH)))
        (local.set $y0 (i32.sub (i32.mul (local.get $oy) (local.get $sH)) (local.get $top)))
        (local.set $y1 (i32.add (local.get $y0) (local.get $fH)))
        (if (i32.lt_s (local.get $y0) (i32.const 0)) (then (local.set $y0 (i32.const 0))))
        (if (i32.gt_s (local.get $y1) (local.get $inH)) (then (local.set $y1 (local.get $inH))))
        (local.set $ox (i32.const 0))
        (block $ox_done (loop $ox_loop
          (br_if $ox_done (i32.ge_u (local.get $ox) (local.get $outW)))
          (local.set $x0 (i32.sub (i32.mul (local.get $ox) (local.get $sW)) (local.get $left)))
          (local.set $x1 (i32.add (local.get $x0) (local.get $fW)))
          (if (i32.lt_s (local.get $x0) (i32.const 0)) (then (local.set $x0 (i32.const 0))))
          (if (i32.gt_s (local.get $x1) (local.get $inW)) (then (local.set $x1 (local.get $inW))))
          ;; channels four at a time
          (local.set $c (i32.const 0))
          (block $c4_done (loop $c4_loop
            (br_if $c4_done (i32.ge_u (local.get $c) (local.get $C4)))
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $at (i32x4.splat (i32.const -1)))
            (local.set $iy (local.get $y0))
            (block $iy_done (loop $iy_loop
              (br_if $iy_done (i32.ge_s (local.get $iy) (local.get $y1)))
              (local.set $ix (local.get $x0))
              (block $ix_done (loop $ix_loop
                (br_if $ix_done (i32.ge_s (local.get $ix) (local.get $x1)))
                (local.set $i (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $iy)) (local.get $inW)) (local.get $ix)) (local.get $C)) (local.get $c)))
                (local.set $v (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
                (local.set $gt (f32x4.gt (local.get $v) (local.get $best)))
                (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $gt)))
                (local.set $at (v128.bitselect (i32x4.add (i32x4.splat (local.get $i)) (local.get $lanes)) (local.get $at) (local.get $gt)))
                (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                (br $ix_loop)))
              (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
              (br $iy_loop)))
            ;; window index in dy: ((b·outH + oy)·outW + ox)·C + c
            (local.set $i (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $outH)) (local.get $oy)) (local.get $outW)) (local.get $ox)) (local.get $C)) (local.get $c)))
            (call $grad_to (local.get $dx) (i32x4.extract_lane 0 (local.get $at)) (f32.load offset=0 (i32.add (local.get $dy) (i32.shl (local.get $i) (i32.const 2)))))
            (call $grad_to (local.get $dx) (i32x4.extract_lane 1 (local.get $at)) (f32.load offset=4 (i32.add (local.get $dy) (i32.shl (local.get $i) (i32.const 2)))))
            (call $grad_to (local.get $dx) (i32x4.extract_lane 2 (local.get $at)) (f32.load offset=8 (i32.add (local.get $dy) (i32.shl (local.get $i) (i32.const 2)))))
            (call $grad_to (local.get $dx) (i32x4.extract_lane 3 (local.get $at)) (f32.load offset=12 (i32.add (local.get $dy) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $c4_loop)))
          ;; the last C mod 4 channels, one at a time
          (block $c_done (loop $c_loop
            (br_if $c_done (i32.ge_u (local.get $c) (local.get $C)))
            (local.set $bestS (f32.const -inf))
            (local.set $atS (i32.const -1))
            (local.set $iy (local.get $y0))
            (block $siy_done (loop $siy_loop
              (br_if $siy_done (i32.ge_s (local.get $iy) (local.get $y1)))
              (local.set $ix (local.get $x0))
              (block $six_done (loop $six_loop
                (br_if $six_done (i32.ge_s (local.get $ix) (local.get $x1)))
                (local.set $k (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $iy)) (local.get $inW)) (local.get $ix)) (local.get $C)) (local.get $c)))
                (local.set $vS (f32.load (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 2)))))
                (if (f32.gt (local.get $vS) (local.get $bestS))
                  (then (local.set $bestS (local.get $vS)) (local.set $atS (local.get $k))))
                (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                (br $six_loop)))
              (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
              (br $siy_loop)))
            (local.set $i (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $outH)) (local.get $oy)) (local.get $outW)) (local.get $ox)) (local.get $C)) (local.get $c)))
            (call $grad_to (local.get $dx) (local.get $atS) (f32.load (i32.add (local.get $dy) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $c_loop)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $ox_loop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oy_loop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $b_loop))))

  ;; dx[at] += g, unless at is −1 (a window with no number in it).
  (func $grad_to (param $dx i32) (param $at i32) (param $g f32)
    (local $p i32)
    (if (i32.ge_s (local.get $at) (i32.const 0))
      (then
        (local.set $p (i32.add (local.get $dx) (i32.shl (local.get $at) (i32.const 2))))
        (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (local.get $g))))))


  ;; matmul_tiled: the same out[m, n] (+)= Σ_s a[s, m] · b[s, n] as matmul_tn — each value the
  ;; sequential float32 sum over s from +0 with separate multiplies and adds, so the two kernels
  ;; agree bit for bit — for dense a: a 4 × 8 tile of the output (4 × 4 at the right edge) is
  ;; held in eight registers while s runs over a block of SB rows (a's and b's block stay in
  ;; cache), each step one vector load of a (four rows m), two of b and eight multiply-adds. A step
  ;; whose four a values are all zero is skipped when b is all finite (see matmul_tn). Rows and
  ;; columns past the last multiple of four are summed one value at a time.
  (func (export "matmul_tiled")
    (param $a i32) (param $b i32) (param $out i32) (param $S i32) (param $M i32) (param $N i32) (param $accumulate i32)
    (local $skip i32) (local $M4 i32) (local $N4 i32) (local $N8 i32) (local $m i32) (local $n i32)
    (local $s0 i32) (local $s1 i32) (local $acc i32)
    (local.set $skip (call $all_finite (local.get $b) (i32.mul (local.get $S) (local.get $N))))
    (local.set $M4 (i32.and (local.get $M) (i32.const -4)))
    (local.set $N4 (i32.and (local.get $N) (i32.const -4)))
    (local.set $N8 (i32.and (local.get $N) (i32.const -8)))
    (if (i32.eqz (local.get $S))
      (then
        (if (i32.eqz (local.get $accumulate))
          (then (memory.fill (local.get $out) (i32.const 0) (i32.shl (i32.mul (local.get $M) (local.get $N)) (i32.const 2)))))
        (return)))
    (block $s_done (loop $s_loop
      (br_if $s_done (i32.ge_u (local.get $s0) (local.get $S)))
      (local.set $s1 (select (i32.add (local.get $s0) (i32.const 128)) (local.get $S)
        (i32.lt_u (i32.add (local.get $s0) (i32.const 128)) (local.get $S))))
      (local.set $acc (i32.or (local.get $accumulate) (i32.ne (local.get $s0) (i32.const 0))))
      (local.set $m (i32.const 0))
      (block $m_done (loop $m_loop
        (br_if $m_done (i32.ge_u (local.get $m) (local.get $M4)))
        (local.set $n (i32.const 0))
        (block $n8_done (loop $n8_loop
          (br_if $n8_done (i32.ge_u (local.get $n) (local.get $N8)))
          (call $tile4x8 (local.get $a) (local.get $b) (local.get $out) (local.get $s0) (local.get $s1) (local.get $M) (local.get $N)
            (local.get $m) (local.get $n) (local.get $skip) (local.get $acc))
          (local.set $n (i32.add (local.get $n) (i32.const 8)))
          (br $n8_loop)))
        (if (i32.lt_u (local.get $n) (local.get $N4))
          (then
            (call $tile4x4 (local.get $a) (local.get $b) (local.get $out) (local.get $s0) (local.get $s1) (local.get $M) (local.get $N)
              (local.get $m) (local.get $n) (local.get $skip) (local.get $acc))
            (local.set $n (local.get $N4))))
        (block $nt_done (loop $nt_loop
          (br_if $nt_done (i32.ge_u (local.get $n) (local.get $N)))
          (call $dot (local.get $a) (local.get $b) (local.get $out) (local.get $s0) (local.get $s1) (local.get $M) (local.get $N) (local.get $m) (local.get $n) (local.get $acc))
          (call $dot (local.get $a) (local.get $b) (local.get $out) (local.get $s0) (local.get $s1) (local.get $M) (local.get $N) (i32.add (local.get $m) (i32.const 1)) (local.get $n) (local.get $acc))
          (call $dot (local.get $a) (local.get $b) (local.get $out) (local.get $s0) (local.get $s1) (local.get $M) (local.get $N) (i32.add (local.get $m) (i32.const 2)) (local.get $n) (local.get $acc))
          (call $dot (local.get $a) (local.get $b) (local.get $out) (local.get $s0) (local.get $s1) (local.get $M) (local.get $N) (i32.add (local.get $m) (i32.const 3)) (local.get $n) (local.get $acc))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br $nt_loop)))
        (local.set $m (i32.add (local.get $m) (i32.const 4)))
        (br $m_loop)))
      (block $mt_done (loop $mt_loop
        (br_if $mt_done (i32.ge_u (local.get $m) (local.get $M)))
        (local.set $n (i32.const 0))
        (block $ntt_done (loop $ntt_loop
          (br_if $ntt_done (i32.ge_u (local.get $n) (local.get $N)))
          (call $dot (local.get $a) (local.get $b) (local.get $out) (local.get $s0) (local.get $s1) (local.get $M) (local.get $N) (local.get $m) (local.get $n) (local.get $acc))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br $ntt_loop)))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $mt_loop)))
      (local.set $s0 (local.get $s1))
      (br $s_loop))))

  ;; out[m, n] (+)= Σ_{s0 ≤ s < s1} a[s, m] · b[s, n], one value, s ascending.
  (func $dot (param $a i32) (param $b i32) (param $out i32) (param $s0 i32) (param $s1 i32) (param $M i32) (param $N i32)
    (param $m i32) (param $n i32) (param $accumulate i32)
    (local $acc f32) (local $s i32) (local $pa i32) (local $pb i32) (local $po i32)
    (local.set $po (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $m) (local.get $N)) (local.get $n)) (i32.const 2))))
    (if (local.get $accumulate) (then (local.set $acc (f32.load (local.get $po)))))
    (local.set $pa (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $s0) (local.get $M)) (local.get $m)) (i32.const 2))))
    (local.set $pb (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $s0) (local.get $N)) (local.get $n)) (i32.const 2))))
    (local.set $s (local.get $s0))
    (block $done (loop $s_loop
      (br_if $done (i32.ge_u (local.get $s) (local.get $s1)))
      (local.set $acc (f32.add (local.get $acc) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))
      (local.set $pa (i32.add (local.get $pa) (i32.shl (local.get $M) (i32.const 2))))
      (local.set $pb (i32.add (local.get $pb) (i32.shl (local.get $N) (i32.const 2))))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $s_loop)))
    (f32.store (local.get $po) (local.get $acc)))

  ;; out[m..m+3, n..n+7] (+)= Σ_{s0 ≤ s < s1} a[s, m..m+3] ⊗ b[s, n..n+7], s ascending, in registers.
  (func $tile4x8 (param $a i32) (param $b i32) (param $out i32) (param $s0 i32) (param $s1 i32) (param $M i32) (param $N i32)
    (param $m i32) (param $n i32) (param $skip i32) (param $accumulate i32)
    (local $s i32) (local $pa i32) (local $pb i32) (local $po i32) (local $aStride i32) (local $bStride i32)
    (local $av v128) (local $ai v128) (local $b0 v128) (local $b1 v128) (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $aStride (i32.shl (local.get $M) (i32.const 2)))
    (local.set $bStride (i32.shl (local.get $N) (i32.const 2)))
    (local.set $po (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $m) (local.get $N)) (local.get $n)) (i32.const 2))))
    (if (local.get $accumulate)
      (then
        (local.set $c00 (v128.load offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 0)))))
        (local.set $c01 (v128.load offset=16 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 0)))))
        (local.set $c10 (v128.load offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 1)))))
        (local.set $c11 (v128.load offset=16 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 1)))))
        (local.set $c20 (v128.load offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 2)))))
        (local.set $c21 (v128.load offset=16 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 2)))))
        (local.set $c30 (v128.load offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 3)))))
        (local.set $c31 (v128.load offset=16 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 3)))))
      ))
    (local.set $pa (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $s0) (local.get $M)) (local.get $m)) (i32.const 2))))
    (local.set $pb (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $s0) (local.get $N)) (local.get $n)) (i32.const 2))))
    (local.set $s (local.get $s0))
    (block $done (loop $s_loop
      (br_if $done (i32.ge_u (local.get $s) (local.get $s1)))
      (local.set $av (v128.load (local.get $pa)))
      (if (i32.or (i32.eqz (local.get $skip)) (v128.any_true (local.get $av)))
        (then
          (local.set $b0 (v128.load offset=0 (local.get $pb)))
          (local.set $b1 (v128.load offset=16 (local.get $pb)))
          (local.set $ai (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $av) (local.get $av)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $ai) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $ai) (local.get $b1))))
          (local.set $ai (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $av) (local.get $av)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $ai) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $ai) (local.get $b1))))
          (local.set $ai (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $av) (local.get $av)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $ai) (local.get $b0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $ai) (local.get $b1))))
          (local.set $ai (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $av) (local.get $av)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $ai) (local.get $b0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $ai) (local.get $b1))))
        ))
      (local.set $pa (i32.add (local.get $pa) (local.get $aStride)))
      (local.set $pb (i32.add (local.get $pb) (local.get $bStride)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $s_loop)))
    (v128.store offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 0))) (local.get $c00))
    (v128.store offset=16 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 0))) (local.get $c01))
    (v128.store offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 1))) (local.get $c10))
    (v128.store offset=16 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 1))) (local.get $c11))
    (v128.store offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 2))) (local.get $c20))
    (v128.store offset=16 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 2))) (local.get $c21))
    (v128.store offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 3))) (local.get $c30))
    (v128.store offset=16 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 3))) (local.get $c31)))

  ;; out[m..m+3, n..n+3] (+)= Σ_{s0 ≤ s < s1} a[s, m..m+3] ⊗ b[s, n..n+3], s ascending, in registers.
  (func $tile4x4 (param $a i32) (param $b i32) (param $out i32) (param $s0 i32) (param $s1 i32) (param $M i32) (param $N i32)
    (param $m i32) (param $n i32) (param $skip i32) (param $accumulate i32)
    (local $s i32) (local $pa i32) (local $pb i32) (local $po i32) (local $aStride i32) (local $bStride i32)
    (local $av v128) (local $ai v128) (local $b0 v128) (local $c00 v128) (local $c10 v128) (local $c20 v128) (local $c30 v128)
    (local.set $aStride (i32.shl (local.get $M) (i32.const 2)))
    (local.set $bStride (i32.shl (local.get $N) (i32.const 2)))
    (local.set $po (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $m) (local.get $N)) (local.get $n)) (i32.const 2))))
    (if (local.get $accumulate)
      (then
        (local.set $c00 (v128.load offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 0)))))
        (local.set $c10 (v128.load offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 1)))))
        (local.set $c20 (v128.load offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 2)))))
        (local.set $c30 (v128.load offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 3)))))
      ))
    (local.set $pa (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $s0) (local.get $M)) (local.get $m)) (i32.const 2))))
    (local.set $pb (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $s0) (local.get $N)) (local.get $n)) (i32.const 2))))
    (local.set $s (local.get $s0))
    (block $done (loop $s_loop
      (br_if $done (i32.ge_u (local.get $s) (local.get $s1)))
      (local.set $av (v128.load (local.get $pa)))
      (if (i32.or (i32.eqz (local.get $skip)) (v128.any_true (local.get $av)))
        (then
          (local.set $b0 (v128.load offset=0 (local.get $pb)))
          (local.set $ai (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $av) (local.get $av)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $ai) (local.get $b0))))
          (local.set $ai (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $av) (local.get $av)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $ai) (local.get $b0))))
          (local.set $ai (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $av) (local.get $av)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $ai) (local.get $b0))))
          (local.set $ai (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $av) (local.get $av)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $ai) (local.get $b0))))
        ))
      (local.set $pa (i32.add (local.get $pa) (local.get $aStride)))
      (local.set $pb (i32.add (local.get $pb) (local.get $bStride)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $s_loop)))
    (v128.store offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 0))) (local.get $c00))
    (v128.store offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 1))) (local.get $c10))
    (v128.store offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 2))) (local.get $c20))
    (v128.store offset=0 (i32.add (local.get $po) (i32.mul (local.get $bStride) (i32.const 3))) (local.get $c30)))
)
