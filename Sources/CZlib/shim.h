#ifndef VIGIL_CZLIB_SHIM_H
#define VIGIL_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro that Swift cannot import: wrap it. */
static inline int vigil_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
