/* SPDX-License-Identifier: BSD-3-Clause */
#include "wire.h"

const char *
wire_strerror(enum wire_err e)
{
	switch (e) {
	case WIRE_OK:
		return "ok";
	case WIRE_ETRUNC:
		return "truncated";
	case WIRE_EBADLEN:
		return "bad-length";
	case WIRE_EVERSION:
		return "bad-version";
	case WIRE_EBADHLEN:
		return "bad-header-length";
	case WIRE_ECSUM:
		return "bad-checksum";
	case WIRE_EBADOPT:
		return "bad-option";
	case WIRE_EUNSUP:
		return "unsupported";
	}
	return "unknown";
}
