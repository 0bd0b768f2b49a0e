#pragma once
/// Writing CSV (RFC 4180): layers.csv of a run, results.csv of a sweep.
#include <string>

namespace arraysim::util {

/// `s` as one CSV field: as it is, or in double quotes (inner quotes doubled) when it holds a
/// comma, a double quote or a line break.
std::string csv_field(const std::string& s);

}  // namespace arraysim::util
