/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * tern counters over DPDK telemetry (read them with dpdk-telemetry.py).
 *
 * Commands: `/tern/stats` (counters and drops summed over engines; with a parameter,
 * one engine: `/tern/stats,1`), `/tern/gauges` (connections by state, tables),
 * `/tern/drops` (non-zero drop reasons: name and count), `/tern/steer` (the steering
 * method between engines and the handoff counters).
 */
#ifndef TERN_TELEMETRY_H
#define TERN_TELEMETRY_H

#include <tern/tern.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Publish @p n engines under /tern/. Call once, after the engines are created; the
 * array must outlive the EAL. DPDK 22.11 telemetry callbacks carry no context pointer,
 * so this keeps the one process-wide registration.
 * @return 0, -EALREADY when called twice, or the error of rte_telemetry_register_cmd().
 */
int tern_telemetry_register(struct tern_engine *const *engines, unsigned n);

#ifdef __cplusplus
}
#endif

#endif
