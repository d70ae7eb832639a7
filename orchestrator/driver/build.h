/*
 * The build driver: runs the stages in order (source, unpack, patch,
 * configure and check, compile, strip and verify, boot check, publish) and
 * records each one's result and duration in metadata.json.
 */
#ifndef UKB_BUILD_H
#define UKB_BUILD_H

#include "driver/buildopts.h"

int build_run(const struct build_opts *o);

#endif
