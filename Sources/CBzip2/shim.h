#ifndef VIGIL_CBZIP2_SHIM_H
#define VIGIL_CBZIP2_SHIM_H
#include <bzlib.h>
#endif
