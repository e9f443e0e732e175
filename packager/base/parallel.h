// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace deskpack {

// Calls function(i) for every i in [0, count) on up to min(cores, 8) threads,
// for many small independent jobs (reading metadata files, hashing a bundle).
// Each job writes its own result slot, so output order never depends on
// scheduling. Below `minPerThread` jobs per thread it stays on this thread.
template <typename Function>
void forEachInParallel(qsizetype count, Function function, qsizetype minPerThread = 64)
{
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const qsizetype workers =
        std::min<qsizetype>(std::min(cores, 8u), count / std::max<qsizetype>(1, minPerThread));
    if (workers <= 1) {
        for (qsizetype i = 0; i < count; ++i)
            function(i);
        return;
    }
    std::atomic<qsizetype> next{0};
    auto work = [&] {
        for (qsizetype i = next++; i < count; i = next++)
            function(i);
    };
    std::vector<std::jthread> threads;
    for (qsizetype w = 1; w < workers; ++w)
        threads.emplace_back(work);
    work();
}

} // namespace deskpack
