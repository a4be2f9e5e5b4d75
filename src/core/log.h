// Server logging: spdlog, configured once by Init(). Modules log with the
// spdlog free functions (spdlog::info(...)) after including <spdlog/spdlog.h>.
#pragma once

#include <string>

namespace nimbus::log {

// `level` is one of trace, debug, info, warn, error, off.
void Init(const std::string& level);

}  // namespace nimbus::log
