/* SPDX-License-Identifier: BSD-3-Clause */
/* In-memory link between two engines (filled in with the TCP tests). */
#include "test_helpers.h"
