// The kernels of CKernels.h. Each is written once, as an always-inlined body over GCC/clang
// vector types (eight floats, one AVX register), and instantiated twice at the end of this file:
// `name_portable` for the baseline instruction set and `name_avx2` with AVX2 and FMA enabled
// (where `a + b * c` becomes one fused multiply-add). `name` is a GNU indirect function whose
// resolver, run once by the loader, picks one of the two from `cpuid`.
#include "CKernels.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#define MV_INLINE static inline __attribute__((always_inline))

// The helpers below pass eight-float vectors by value; they are always inlined, so the AVX
// calling convention the compiler warns about never applies.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float v8f __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));
typedef float v16f __attribute__((vector_size(64)));
typedef uint32_t v8u __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef int32_t v16i __attribute__((vector_size(64)));
typedef int16_t v16s __attribute__((vector_size(32)));
typedef int8_t v16c __attribute__((vector_size(16)));
// The same at any alignment, and allowed to alias the scalars they are read from.
typedef float v8f_u __attribute__((vector_size(32), aligned(4), may_alias));
typedef float v16f_u __attribute__((vector_size(64), aligned(4), may_alias));
typedef int16_t v16s_u __attribute__((vector_size(32), aligned(2), may_alias));
typedef int8_t v16c_u __attribute__((vector_size(16), aligned(1), may_alias));

/// The lanes of one attention head.
enum { head_size = 32 };

MV_INLINE v8f load8(const float *p) { return *(const v8f_u *)p; }
MV_INLINE void store8(float *p, v8f v) { *(v8f_u *)p = v; }
MV_INLINE v8f splat8(float x) { return (v8f){x, x, x, x, x, x, x, x}; }

MV_INLINE float sum8(v8f v) {
    v4f h = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
    return (h[0] + h[2]) + (h[1] + h[3]);
}

MV_INLINE float largest8(v8f v) {
    v4f h = __builtin_elementwise_max(__builtin_shufflevector(v, v, 0, 1, 2, 3), __builtin_shufflevector(v, v, 4, 5, 6, 7));
    float a = h[0] < h[2] ? h[2] : h[0], b = h[1] < h[3] ? h[3] : h[1];
    return a < b ? b : a;
}

MV_INLINE v8f clamp8(v8f x, float lower, float upper) {
    return __builtin_elementwise_min(__builtin_elementwise_max(x, splat8(lower)), splat8(upper));
}

/// erf(x) in single precision: a rational approximation (the one Eigen and XLA use), within
/// 4e-7 of the true value, without libm.
MV_INLINE v8f erf8(v8f input) {
    v8f x = clamp8(input, -4.0f, 4.0f);
    v8f x2 = x * x;
    v8f p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
    p = p * x2 - 2.10102402082508e-06f;
    p = p * x2 - 5.69250639462346e-05f;
    p = p * x2 - 7.34990630326855e-04f;
    p = p * x2 - 2.95459980854025e-03f;
    p = p * x2 - 1.60960333262415e-02f;
    v8f q = x2 * -1.45660718464996e-05f - 2.13374055278905e-04f;
    q = q * x2 - 1.68282697438203e-03f;
    q = q * x2 - 7.37332916720468e-03f;
    q = q * x2 - 1.42647390514189e-02f;
    return x * p / q;
}

/// eˣ in single precision without libm: Cephes' `expf` (x = n·ln 2 + r, a degree-6 polynomial
/// for eʳ), within 2 ulp.
MV_INLINE v8f exp8(v8f input) {
    v8f x = clamp8(input, -87.3f, 88.3f);
    // Adding 1.5·2²³ rounds to an integer, which then sits in the low bits.
    v8f shifted = x * 1.44269504088896341f + 12582912.0f;
    v8f n = shifted - 12582912.0f;
    v8f r = x - n * 0.693359375f + n * 2.12194440e-4f;
    v8f p = r * 1.9875691500e-4f + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    v8f er = p * r * r + r + 1.0f;
    v8u exponent = ((v8u)shifted - 0x4B400000u + 127u) << 23;
    return er * (v8f)exponent;
}

// MARK: - Bodies

MV_INLINE void mv_linear_few_rows_body(
    const float *input, long rows, long input_size, const float *weight, const float *bias, long output_size,
    float *output) {
    long lanes = input_size - input_size % 8;
    long column = 0;
    for (; column + 4 <= output_size; column += 4) {
        const float *w0 = weight + column * input_size, *w1 = w0 + input_size, *w2 = w1 + input_size,
                    *w3 = w2 + input_size;
        long row = 0;
        for (; row + 2 <= rows; row += 2) {
            const float *x0 = input + row * input_size, *x1 = x0 + input_size;
            v8f a00 = {0}, a01 = {0}, a02 = {0}, a03 = {0}, a10 = {0}, a11 = {0}, a12 = {0}, a13 = {0};
            for (long k = 0; k < lanes; k += 8) {
                v8f p = load8(x0 + k), q = load8(x1 + k);
                v8f v0 = load8(w0 + k);
                a00 += v0 * p;
                a10 += v0 * q;
                v8f v1 = load8(w1 + k);
                a01 += v1 * p;
                a11 += v1 * q;
                v8f v2 = load8(w2 + k);
                a02 += v2 * p;
                a12 += v2 * q;
                v8f v3 = load8(w3 + k);
                a03 += v3 * p;
                a13 += v3 * q;
            }
            float t00 = 0, t01 = 0, t02 = 0, t03 = 0, t10 = 0, t11 = 0, t12 = 0, t13 = 0;
            // The products past the last whole eight lanes (none for the model's sizes).
            for (long k = lanes; k < input_size; k++) {
                t00 += x0[k] * w0[k], t01 += x0[k] * w1[k], t02 += x0[k] * w2[k], t03 += x0[k] * w3[k];
                t10 += x1[k] * w0[k], t11 += x1[k] * w1[k], t12 += x1[k] * w2[k], t13 += x1[k] * w3[k];
            }
            float *y0 = output + row * output_size + column, *y1 = y0 + output_size;
            y0[0] = bias[column] + sum8(a00) + t00;
            y0[1] = bias[column + 1] + sum8(a01) + t01;
            y0[2] = bias[column + 2] + sum8(a02) + t02;
            y0[3] = bias[column + 3] + sum8(a03) + t03;
            y1[0] = bias[column] + sum8(a10) + t10;
            y1[1] = bias[column + 1] + sum8(a11) + t11;
            y1[2] = bias[column + 2] + sum8(a12) + t12;
            y1[3] = bias[column + 3] + sum8(a13) + t13;
        }
        if (row < rows) {
            const float *x0 = input + row * input_size;
            v8f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
            for (long k = 0; k < lanes; k += 8) {
                v8f p = load8(x0 + k);
                a0 += load8(w0 + k) * p;
                a1 += load8(w1 + k) * p;
                a2 += load8(w2 + k) * p;
                a3 += load8(w3 + k) * p;
            }
            float t0 = 0, t1 = 0, t2 = 0, t3 = 0;
            for (long k = lanes; k < input_size; k++) {
                t0 += x0[k] * w0[k], t1 += x0[k] * w1[k], t2 += x0[k] * w2[k], t3 += x0[k] * w3[k];
            }
            float *y0 = output + row * output_size + column;
            y0[0] = bias[column] + sum8(a0) + t0;
            y0[1] = bias[column + 1] + sum8(a1) + t1;
            y0[2] = bias[column + 2] + sum8(a2) + t2;
            y0[3] = bias[column + 3] + sum8(a3) + t3;
        }
    }
    // The last columns when the output size is not a multiple of four.
    for (; column < output_size; column++) {
        const float *w = weight + column * input_size;
        for (long row = 0; row < rows; row++) {
            const float *x = input + row * input_size;
            v8f a = {0};
            for (long k = 0; k < lanes; k += 8) a += load8(w + k) * load8(x + k);
            float t = 0;
            for (long k = lanes; k < input_size; k++) t += x[k] * w[k];
            output[row * output_size + column] = bias[column] + sum8(a) + t;
        }
    }
}

MV_INLINE void mv_add_and_normalize_body(
    const float *values, const float *_Nullable residual, long rows, long width, const float *scale,
    const float *bias, float epsilon, float *output) {
    float count = (float)width;
    for (long row = 0; row < rows; row++) {
        const float *source = values + row * width;
        float *target = output + row * width;
        // Sweep 1: the sum (and the residual added, into target).
        v8f sum = {0};
        if (residual) {
            const float *added = residual + row * width;
            for (long i = 0; i < width; i += 8) {
                v8f value = load8(source + i) + load8(added + i);
                store8(target + i, value);
                sum += value;
            }
        } else {
            for (long i = 0; i < width; i += 8) {
                v8f value = load8(source + i);
                store8(target + i, value);
                sum += value;
            }
        }
        float mean = sum8(sum) / count;
        // Sweep 2: the variance around the mean (two passes: exact for large means).
        v8f squares = {0};
        for (long i = 0; i < width; i += 8) {
            v8f centered = load8(target + i) - mean;
            squares += centered * centered;
        }
        float inverse = 1.0f / __builtin_sqrtf(sum8(squares) / count + epsilon);
        // Sweep 3: normalize, scale and shift.
        for (long i = 0; i < width; i += 8) {
            v8f normalized = (load8(target + i) - mean) * inverse;
            store8(target + i, load8(bias + i) + normalized * load8(scale + i));
        }
    }
}

MV_INLINE void mv_gelu_body(float *values, long count) {
    for (long i = 0; i < count; i += 8) {
        v8f x = load8(values + i);
        v8f half = x * 0.5f;
        store8(values + i, half + half * erf8(x * 0.70710678118654752f));
    }
}

MV_INLINE void mv_exp_body(float *values, long count) {
    for (long i = 0; i < count; i += 8) store8(values + i, exp8(load8(values + i)));
}

MV_INLINE void mv_erf_body(float *values, long count) {
    for (long i = 0; i < count; i += 8) store8(values + i, erf8(load8(values + i)));
}

MV_INLINE float mv_exponentiate_body(float *row, long count, long padded) {
    for (long i = count; i < padded; i++) row[i] = -__FLT_MAX__;
    v8f largest = splat8(-__FLT_MAX__);
    for (long i = 0; i < padded; i += 8) largest = __builtin_elementwise_max(largest, load8(row + i));
    v8f shift = splat8(largest8(largest));
    v8f total = {0};
    for (long i = 0; i < padded; i += 8) {
        v8f e = exp8(load8(row + i) - shift);
        store8(row + i, e);
        total += e;
    }
    return 1.0f / sum8(total);
}

/// `keys[c × width + j] = key[j × stride + c]`, zero for j from `tokens` to `width`: eight tokens
/// at a time, each lane gathered into one vector and stored whole (scalar stores `width`
/// floats apart cost several times as much).
MV_INLINE void transpose_keys(long n, const float *key, long stride, long width, float *keys) {
    long token = 0;
    for (; token + 8 <= n; token += 8) {
        const float *k = key + token * stride;
        for (long lane = 0; lane < head_size; lane++) {
            v8f gathered = {k[lane], k[stride + lane], k[2 * stride + lane], k[3 * stride + lane],
                            k[4 * stride + lane], k[5 * stride + lane], k[6 * stride + lane], k[7 * stride + lane]};
            store8(keys + lane * width + token, gathered);
        }
    }
    if (token >= width) return;
    for (long lane = 0; lane < head_size; lane++) {
        float *target = keys + lane * width;
        for (long tail = token; tail < n; tail++) target[tail] = key[tail * stride + lane];
        for (long tail = n; tail < width; tail++) target[tail] = 0;
    }
}

/// `scores[i × width + j] = query[i]·key[j] / √32` for every row i and every j below `width`,
/// eight rows by eight columns at a time.
MV_INLINE void compute_scores(long n, const float *query, long stride, const float *keys, long width, float *scores) {
    const float scale = 0.17677669529663688f;  // 1 / √32 (head_size)
    long row = 0;
    for (; row + 8 <= n; row += 8) {
        const float *q = query + row * stride;
        for (long column = 0; column < width; column += 8) {
            v8f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, a4 = {0}, a5 = {0}, a6 = {0}, a7 = {0};
            for (long lane = 0; lane < head_size; lane++) {
                v8f k = load8(keys + lane * width + column);
                a0 += splat8(q[lane]) * k;
                a1 += splat8(q[stride + lane]) * k;
                a2 += splat8(q[2 * stride + lane]) * k;
                a3 += splat8(q[3 * stride + lane]) * k;
                a4 += splat8(q[4 * stride + lane]) * k;
                a5 += splat8(q[5 * stride + lane]) * k;
                a6 += splat8(q[6 * stride + lane]) * k;
                a7 += splat8(q[7 * stride + lane]) * k;
            }
            float *target = scores + row * width + column;
            store8(target, a0 * scale);
            store8(target + width, a1 * scale);
            store8(target + 2 * width, a2 * scale);
            store8(target + 3 * width, a3 * scale);
            store8(target + 4 * width, a4 * scale);
            store8(target + 5 * width, a5 * scale);
            store8(target + 6 * width, a6 * scale);
            store8(target + 7 * width, a7 * scale);
        }
    }
    for (; row < n; row++) {
        const float *q = query + row * stride;
        for (long column = 0; column < width; column += 8) {
            v8f a0 = {0}, a1 = {0};
            for (long lane = 0; lane < head_size; lane += 2) {
                a0 += splat8(q[lane]) * load8(keys + lane * width + column);
                a1 += splat8(q[lane + 1]) * load8(keys + (lane + 1) * width + column);
            }
            store8(scores + row * width + column, (a0 + a1) * scale);
        }
    }
}

/// `context[i] = scales[i] · Σⱼ scores[i × width + j] · value[j]` over the `tokens` values, two
/// rows by the head's 32 lanes at a time.
MV_INLINE void weight_values(
    long n, const float *scores, long width, const float *scales, const float *value, long stride, float *context,
    long context_stride) {
    for (long row = 0; row < n; row += 2) {
        int pair = row + 1 < n;
        const float *first = scores + row * width;
        const float *second = pair ? first + width : first;
        v8f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, b0 = {0}, b1 = {0}, b2 = {0}, b3 = {0};
        for (long token = 0; token < n; token++) {
            const float *v = value + token * stride;
            v8f v0 = load8(v), v1 = load8(v + 8), v2 = load8(v + 16), v3 = load8(v + 24);
            v8f p = splat8(first[token]), q = splat8(second[token]);
            a0 += p * v0;
            a1 += p * v1;
            a2 += p * v2;
            a3 += p * v3;
            b0 += q * v0;
            b1 += q * v1;
            b2 += q * v2;
            b3 += q * v3;
        }
        float *target = context + row * context_stride;
        float scale = scales[row];
        store8(target, a0 * scale);
        store8(target + 8, a1 * scale);
        store8(target + 16, a2 * scale);
        store8(target + 24, a3 * scale);
        if (pair) {
            scale = scales[row + 1];
            store8(target + context_stride, b0 * scale);
            store8(target + context_stride + 8, b1 * scale);
            store8(target + context_stride + 16, b2 * scale);
            store8(target + context_stride + 24, b3 * scale);
        }
    }
}

MV_INLINE void mv_attention_head_body(
    long n, const float *query, const float *key, const float *value, long stride, float *keys, float *scores,
    float *context, long context_stride) {
    long width = (n + 7) & ~7L;
    transpose_keys(n, key, stride, width, keys);
    compute_scores(n, query, stride, keys, width, scores);
    float *scales = scores + n * width;
    for (long row = 0; row < n; row++) scales[row] = mv_exponentiate_body(scores + row * width, n, width);
    weight_values(n, scores, width, scales, value, stride, context, context_stride);
}

/// x₀q₀ + x₁q₁, x₂q₂ + x₃q₃, … of 16 codes in Int32 (vpmovsxbw and vpmaddwd on AVX2).
MV_INLINE v8i multiply_add_pairs(v16c x, v16s q) {
    v16i products = __builtin_convertvector(__builtin_convertvector(x, v16s), v16i) * __builtin_convertvector(q, v16i);
    return __builtin_shufflevector(products, products, 0, 2, 4, 6, 8, 10, 12, 14)
        + __builtin_shufflevector(products, products, 1, 3, 5, 7, 9, 11, 13, 15);
}

MV_INLINE void mv_int8_dot4_body(const int8_t *rows, long stride, const int16_t *query, int32_t *out) {
    const int8_t *x0 = rows, *x1 = x0 + stride, *x2 = x1 + stride, *x3 = x2 + stride;
    // Wrapping sums in unsigned lanes: the caller keeps the true sums within Int32.
    v8u a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    for (long c = 0; c < stride; c += 16) {
        v16s q = *(const v16s_u *)(query + c);
        a0 += (v8u)multiply_add_pairs(*(const v16c_u *)(x0 + c), q);
        a1 += (v8u)multiply_add_pairs(*(const v16c_u *)(x1 + c), q);
        a2 += (v8u)multiply_add_pairs(*(const v16c_u *)(x2 + c), q);
        a3 += (v8u)multiply_add_pairs(*(const v16c_u *)(x3 + c), q);
    }
    out[0] = (int32_t)__builtin_reduce_add(a0);
    out[1] = (int32_t)__builtin_reduce_add(a1);
    out[2] = (int32_t)__builtin_reduce_add(a2);
    out[3] = (int32_t)__builtin_reduce_add(a3);
}

MV_INLINE void mv_int8_dot_rows_body(
    const int8_t *rows, long stride, long groups, const int16_t *query, uint64_t allowed, int32_t *out) {
    for (long g = 0; g < groups; g++) {
        if ((allowed >> (4 * g)) & 0xF) mv_int8_dot4_body(rows + 4 * g * stride, stride, query, out + 4 * g);
    }
}

MV_INLINE float mv_dot_body(const float *a, const float *b, long count) {
    v16f acc = {0};
    for (long i = 0; i < count; i += 16) acc += *(const v16f_u *)(a + i) * *(const v16f_u *)(b + i);
    v8f h = __builtin_shufflevector(acc, acc, 0, 1, 2, 3, 4, 5, 6, 7)
        + __builtin_shufflevector(acc, acc, 8, 9, 10, 11, 12, 13, 14, 15);
    return sum8(h);
}

// MARK: - Variants and dispatch

#if defined(__x86_64__)

/// Whether the CPU has AVX2 and FMA and the OS saves the AVX registers (XCR0 bits 1 and 2).
/// Only `cpuid` and `xgetbv`: the resolvers run while the loader relocates the program, before
/// any library call is safe.
static int cpu_check_avx2_fma(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & bit_FMA) || !(c & bit_AVX) || !(c & bit_OSXSAVE)) return 0;
    unsigned low, high;
    __asm__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    if ((low & 6) != 6) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b & bit_AVX2) != 0;
}

/// `cpu_check_avx2_fma()`, asked once per process: every resolver below runs at each start, and
/// in a virtual machine each `cpuid` traps to the hypervisor (1 % of `memvault --version`'s
/// samples before, docs/benchmarks.md). The resolvers run one after another on one thread.
static int cpu_has_avx2_fma(void) {
    static int known = -1;
    if (known < 0) known = cpu_check_avx2_fma();
    return known;
}

int mv_kernels_use_avx2(void) { return cpu_has_avx2_fma(); }

#define MV_FAST __attribute__((target("avx2,fma")))
#define MV_VARIANTS(ret, name, params, args) \
    ret name##_portable params { return name##_body args; } \
    MV_FAST ret name##_avx2 params { return name##_body args; } \
    static ret (*resolve_##name(void)) params { return cpu_has_avx2_fma() ? name##_avx2 : name##_portable; } \
    ret name params __attribute__((ifunc("resolve_" #name)));
#define MV_VOID_VARIANTS(name, params, args) \
    void name##_portable params { name##_body args; } \
    MV_FAST void name##_avx2 params { name##_body args; } \
    static void (*resolve_##name(void)) params { return cpu_has_avx2_fma() ? name##_avx2 : name##_portable; } \
    void name params __attribute__((ifunc("resolve_" #name)));

#else

int mv_kernels_use_avx2(void) { return 0; }

#define MV_VARIANTS(ret, name, params, args) \
    ret name##_portable params { return name##_body args; } \
    ret name params { return name##_body args; }
#define MV_VOID_VARIANTS(name, params, args) \
    void name##_portable params { name##_body args; } \
    void name params { name##_body args; }

#endif

MV_VOID_VARIANTS(mv_linear_few_rows,
                 (const float *input, long rows, long input_size, const float *weight, const float *bias,
                  long output_size, float *output),
                 (input, rows, input_size, weight, bias, output_size, output))
MV_VOID_VARIANTS(mv_add_and_normalize,
                 (const float *values, const float *_Nullable residual, long rows, long width, const float *scale,
                  const float *bias, float epsilon, float *output),
                 (values, residual, rows, width, scale, bias, epsilon, output))
MV_VOID_VARIANTS(mv_gelu, (float *values, long count), (values, count))
MV_VARIANTS(float, mv_exponentiate, (float *row, long count, long padded), (row, count, padded))
MV_VOID_VARIANTS(mv_attention_head,
                 (long tokens, const float *query, const float *key, const float *value, long stride, float *keys,
                  float *scores, float *context, long context_stride),
                 (tokens, query, key, value, stride, keys, scores, context, context_stride))
MV_VOID_VARIANTS(mv_exp, (float *values, long count), (values, count))
MV_VOID_VARIANTS(mv_erf, (float *values, long count), (values, count))
MV_VOID_VARIANTS(mv_int8_dot_rows,
                 (const int8_t *rows, long stride, long groups, const int16_t *query, uint64_t allowed, int32_t *out),
                 (rows, stride, groups, query, allowed, out))
MV_VARIANTS(float, mv_dot, (const float *a, const float *b, long count), (a, b, count))
