/*
 * `umlkbuild reproduce METADATA.json`: rebuild an artifact from the
 * inputs its metadata.json records and say whether the new vmlinux has the
 * recorded sha256, the way a user checks a downloaded binary.
 */
#ifndef UKB_REPRODUCE_H
#define UKB_REPRODUCE_H

int reproduce_cmd(int argc, char **argv);

#endif
