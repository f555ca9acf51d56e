#ifndef MEMVAULT_COPENBLAS_SHIM_H
#define MEMVAULT_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
