#include "base/io_device_name.h"

#include <charconv>
#include <string>

namespace ckpt {

Result<int> IoDeviceTask(std::string_view device) {
  int task = -1;
  size_t pos = 0;
  while (pos <= device.size()) {
    size_t end = device.find('/', pos);
    if (end == std::string_view::npos) end = device.size();
    const std::string_view part = device.substr(pos, end - pos);
    pos = end + 1;
    constexpr std::string_view kTask = "task:";
    if (part.substr(0, kTask.size()) != kTask) continue;
    const std::string_view digits = part.substr(kTask.size());
    int value = -1;
    const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || value < 0) {
      return InvalidArgumentError("experimental_io_device \"" + std::string(device) + "\": \"" + std::string(part) +
                                  "\" is not a task index");
    }
    if (task >= 0) {
      return InvalidArgumentError("experimental_io_device \"" + std::string(device) + "\" names more than one task");
    }
    task = value;
  }
  return task;
}

Result<int> IoRankFor(std::string_view device, int size) {
  if (size <= 1 || device.empty()) return -1;
  Result<int> task = IoDeviceTask(device);
  if (!task.ok()) return task.status();
  if (*task >= size) {
    return InvalidArgumentError("experimental_io_device \"" + std::string(device) + "\" names task " +
                                std::to_string(*task) + ", but the group has " + std::to_string(size) +
                                " ranks (task index = rank)");
  }
  return *task;
}

int LeadRankFor(std::string_view device, int size) {
  Result<int> r = IoRankFor(device, size);
  return r.ok() && *r >= 0 ? *r : 0;
}

}  // namespace ckpt
