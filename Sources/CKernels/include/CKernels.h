#ifndef MEMVAULT_CKERNELS_H
#define MEMVAULT_CKERNELS_H
// The numeric inner loops of the embedder and the vector index, in C so that each is
// compiled twice from one source: once for any x86-64 (SSE2) and once for AVX2 with FMA
// (Haswell, 2013, and every AMD Zen). The loader picks one of the two for each kernel when
// the program starts (a GNU indirect function, resolved from the CPU's `cpuid`), so one
// portable build runs everywhere and uses the fast instructions where they exist. On
// other architectures only the portable variant exists and the plain name calls it.
//
// The plain names (`mv_gelu`, ...) are what the library calls. The `_portable` and `_avx2`
// names are each variant itself, for the tests that check the two agree.
#include <stdint.h>

#pragma clang assume_nonnull begin

// The variant declarations of one kernel: `name`, `name_portable` and, on x86-64, `name_avx2`.
#if defined(__x86_64__)
#define MV_DECLARE(ret, name, params) ret name params; ret name##_portable params; ret name##_avx2 params;
#else
#define MV_DECLARE(ret, name, params) ret name params; ret name##_portable params;
#endif

/// 1 if this process runs the AVX2/FMA variants (the CPU and the OS support them), else 0.
int mv_kernels_use_avx2(void);

/// `output[rows × output_size] = input[rows × input_size] · weightᵀ + bias` for a few rows,
/// `weight` being `output_size × input_size` row-major (PyTorch's `Linear` layout), without
/// BLAS: four weight rows at a time against two input rows at a time, eight lanes wide, so
/// that each weight is read from memory once and used for every row from the first level of
/// cache. For short queries (up to 16 tokens), where sgemm's packing costs more than the
/// arithmetic.
MV_DECLARE(void, mv_linear_few_rows,
           (const float *input, long rows, long input_size, const float *weight, const float *bias,
            long output_size, float *output))

/// `output[row] = LayerNorm(values[row] + residual[row])` for every row of `width` floats,
/// `width` a multiple of 8; `residual` may be NULL (no residual); `output` may be `values`
/// or `residual`. Three sweeps over each row while it is in L1 (two-pass variance).
MV_DECLARE(void, mv_add_and_normalize,
           (const float *values, const float *_Nullable residual, long rows, long width,
            const float *scale, const float *bias, float epsilon, float *output))

/// GELU with the exact error function, `x · (1 + erf(x / √2)) / 2`, in place on `count`
/// floats, `count` a multiple of 8 (erf: Eigen's and XLA's rational approximation,
/// within 4e-7).
MV_DECLARE(void, mv_gelu, (float *values, long count))

/// Softmax of one row of `count` scores, in place, but for the final division: each score x
/// becomes e^(x − max), and the return value is 1 / their sum. The row has room for `padded`
/// floats (`count` rounded up to a multiple of 8); the lanes past `count` are overwritten and
/// end up (nearly) zero.
MV_DECLARE(float, mv_exponentiate, (float *row, long count, long padded))

/// Scaled dot-product attention of one head (32 lanes) over `tokens` rows:
/// `context[i] = Σⱼ softmax(query[i]·key[j] / √32)ⱼ · value[j]`, input rows `stride` floats
/// apart, output rows `context_stride`. `keys` has room for 32 × padded floats (the keys
/// transposed), `scores` for tokens × padded + tokens (the scores, then one softmax scale per
/// row), padded = `tokens` rounded up to a multiple of 8. The small products are blocked
/// eight rows by eight columns so that the accumulators stay in registers.
MV_DECLARE(void, mv_attention_head,
           (long tokens, const float *query, const float *key, const float *value, long stride,
            float *keys, float *scores, float *context, long context_stride))

/// eˣ (Cephes' `expf`, within 2 ulp) and erf(x), in place on `count` floats (`count` a multiple
/// of 8): the approximations `mv_exponentiate` and `mv_gelu` use, for their accuracy tests.
MV_DECLARE(void, mv_exp, (float *values, long count))
MV_DECLARE(void, mv_erf, (float *values, long count))

/// The exact integer dot products of up to 64 consecutive rows of `stride` int8 codes (`stride`
/// apart, a multiple of 16), starting at `rows`, with the query's `stride` int16 codes, into
/// `out[row]`, with wrapping Int32 sums (the caller keeps the true sums in range). The rows go
/// in `groups` groups of four; a group is computed only if one of its four bits in `allowed`
/// (bit r for row r) is set, else its `out` entries are left as they are. Sign-extends 16
/// codes at a time and multiplies-and-adds them in pairs (vpmaddwd on AVX2); four rows share
/// every query load. One call per 64 rows (one word of a row mask), not per four.
MV_DECLARE(void, mv_int8_dot_rows,
           (const int8_t *rows, long stride, long groups, const int16_t *query, uint64_t allowed, int32_t *out))

/// The fp32 dot product of two vectors of `count` floats, `count` a multiple of 16.
MV_DECLARE(float, mv_dot, (const float *a, const float *b, long count))

#undef MV_DECLARE
#pragma clang assume_nonnull end

#endif
