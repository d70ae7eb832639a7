/*
 * IPv4 addresses in text, parsed without side effects (pure; unit-tested
 * through rootfsopt and netspec, and fuzzed). Each returns 0 or
 * -UKB_EUSAGE with a static reason in *why, never reporting by itself.
 */
#ifndef UKB_INET_H
#define UKB_INET_H

#include <stddef.h>
#include <stdint.h>

/* A dotted-quad IPv4 address, four decimal numbers 0..255, no zeros led;
 * *addr in host byte order. */
int inet_parse_ip(const char *s, uint32_t *addr, const char **why);

/* "A.B.C.D/N", N 1..32; the address may not be the network or broadcast
 * address (for N < 31). */
int inet_parse_cidr(const char *s, uint32_t *addr, unsigned *prefix,
		    const char **why);

/* The netmask of a prefix length 0..32, host byte order. */
uint32_t inet_mask(unsigned prefix);

/* "A.B.C.D" of a host-order address into buf (at least 16 bytes). */
const char *inet_ntoa_r(uint32_t addr, char *buf, size_t len);

#endif
