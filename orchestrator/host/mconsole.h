/*
 * A client of UML's management console (mconsole): the kernel listens on
 * a unix datagram socket, UML_DIR/UMID/mconsole; a request is one
 * datagram (magic, protocol version, length, text such as "halt" or
 * "sysrq s"), each reply one datagram (error flag, more-to-come flag,
 * length, text) sent back to the requester's address.
 */
#ifndef UKB_HOST_MCONSOLE_H
#define UKB_HOST_MCONSOLE_H

#include "base/strbuf.h"

/*
 * Send cmd to the socket at path and collect the reply's text into reply
 * (may be NULL) within timeout_ms. Returns 0, 1 when the kernel answered
 * with its error flag set, or -errno (-ETIMEDOUT without an answer).
 * Reports nothing.
 */
int mconsole_cmd(const char *path, const char *cmd, int timeout_ms,
		 struct strbuf *reply);

#endif
