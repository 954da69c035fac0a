import { createRequire } from 'node:module';

/** Row-major single-precision GEMM on raw float arrays: C = op(A) op(B), C overwritten. */
export type Sgemm = (
  transposeA: boolean,
  transposeB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  c: Float32Array,
  ldc: number,
) => void;

/** An optimized BLAS loaded from the system, with its thread control. */
export interface SystemBlas {
  /** The file that was loaded, e.g. `libopenblas.so.0`. */
  library: string;
  /** The library's own description (OpenBLAS's build configuration), when it has one. */
  description: string;
  sgemm: Sgemm;
  /** Threads the library uses for one product; undefined where it has no control (Accelerate). */
  setThreads?: (threads: number) => void;
}

// Only libraries known to carry an optimized CBLAS. The generic `libblas.so.3` is listed last: on
// Debian it points to whichever BLAS `update-alternatives` selected, and the reference (netlib)
// build exports no `cblas_sgemm`, so it fails to load here instead of silently running slow.
const CANDIDATES: Record<string, string[]> = {
  linux: ['libopenblas.so.0', 'libopenblas.so', 'libopenblasp.so.0', 'libblas.so.3'],
  darwin: [
    '/System/Library/Frameworks/Accelerate.framework/Accelerate',
    'libopenblas.dylib',
    '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
    '/usr/local/opt/openblas/lib/libopenblas.dylib',
  ],
  win32: ['libopenblas.dll', 'openblas.dll'],
};

const ROW_MAJOR = 101;
const NO_TRANSPOSE = 111;
const TRANSPOSE = 112;

type KoffiModule = typeof import('koffi');

/**
 * Load the first optimized system BLAS that has `cblas_sgemm`, through koffi (prebuilt FFI, no
 * compiler, no download). Returns the reasons each candidate failed when none loads.
 *
 * Arrays are passed as typed-array views, which koffi hands to C as pointers to their memory:
 * views into the wasm heap reach the BLAS with no copy.
 */
export function loadSystemBlas(
  candidates: string[] = CANDIDATES[process.platform] ?? [],
): SystemBlas | { failures: string[] } {
  let koffi: KoffiModule;
  try {
    koffi = createRequire(import.meta.url)('koffi') as KoffiModule;
  } catch (error) {
    return { failures: [`koffi: ${(error as Error).message}`] };
  }
  const failures: string[] = [];
  for (const library of candidates) {
    try {
      const lib = koffi.load(library);
      pinLoaded(koffi, library);
      const gemm = lib.func(
        'void cblas_sgemm(int order, int transA, int transB, int M, int N, int K, float alpha, ' +
          'float *A, int lda, float *B, int ldb, float beta, float *C, int ldc)',
      );
      const optional = (declaration: string) => {
        try {
          return lib.func(declaration);
        } catch {
          return undefined;
        }
      };
      const setThreads = optional('void openblas_set_num_threads(int threads)');
      const getConfig = optional('const char *openblas_get_config()');
      const sgemm: Sgemm = (transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc) =>
        gemm(
          ROW_MAJOR,
          transposeA ? TRANSPOSE : NO_TRANSPOSE,
          transposeB ? TRANSPOSE : NO_TRANSPOSE,
          m,
          n,
          k,
          1,
          a,
          lda,
          b,
          ldb,
          0,
          c,
          ldc,
        );
      return {
        library,
        description: getConfig ? String(getConfig()) : library,
        sgemm,
        ...(setThreads ? { setThreads: (threads: number) => setThreads(threads) } : {}),
      };
    } catch (error) {
      failures.push(`${library}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return { failures };
}

// dlopen's RTLD_NOW | RTLD_NODELETE, where the platform has them.
const PIN_MODE: Partial<Record<NodeJS.Platform, number>> = { linux: 0x2 | 0x1000, darwin: 0x2 | 0x80 };

/**
 * Keep the BLAS mapped until the process ends. koffi unloads a library when its last reference
 * goes, which for a training worker is when the worker ends: if that worker was the only user,
 * OpenBLAS is unmapped while the main thread may be inside fork() (spawning llama-server), whose
 * prefork loop calls the fork handler OpenBLAS registered, unlocked, after the unload began: a
 * segmentation fault, seen as a run dying without a message. A second dlopen with RTLD_NODELETE
 * pins it. Best effort: where it cannot be pinned, training still works.
 */
function pinLoaded(koffi: KoffiModule, library: string): void {
  const mode = PIN_MODE[process.platform];
  if (mode === undefined) return;
  try {
    koffi.load(null).func('void *dlopen(const char *file, int mode)')(library, mode);
  } catch {
    // No dlopen among the process's symbols: left as koffi loaded it.
  }
}
