#include "sandbox/cgroup.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/fs.h"
#include "core/ids.h"

namespace nimbus::sandbox {
namespace {

// A fake cgroup v2 mount: the driver only reads and writes files.
TEST(CgroupV2Test, WritesLimitsIntoAFakeHierarchy) {
  std::string root =
      (std::filesystem::temp_directory_path() / ("nimbus-cg-" + RandomHex(8))).string();
  ASSERT_TRUE(MakeDirs(root).ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/cgroup.controllers", "cpuset cpu io memory pids\n").ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/cgroup.subtree_control", "").ok());
  ASSERT_TRUE(MakeDirs(root + "/nimbus").ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/nimbus/cgroup.subtree_control", "").ok());
  ASSERT_TRUE(MakeDirs(root + "/nimbus/s1").ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/nimbus/s1/cgroup.subtree_control", "").ok());
  // A real kernel creates these files with the directory.
  ASSERT_TRUE(MakeDirs(root + "/nimbus/s1/i1").ok());
  for (const char* f : {"memory.max", "memory.swap.max", "pids.max", "cpu.weight", "cgroup.procs"}) {
    ASSERT_TRUE(WriteFileAtomic(root + "/nimbus/s1/i1/" + f, "").ok());
  }
  ASSERT_TRUE(WriteFileAtomic(root + "/nimbus/s1/i1/memory.events", "low 0\noom 1\noom_kill 2\n").ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/nimbus/s1/i1/memory.peak", "12345\n").ok());

  auto driver = NewCgroupDriver(root, "s1");
  ASSERT_TRUE(driver.ok()) << driver.status().ToString();
  EXPECT_STREQ((*driver)->version(), "v2");
  EXPECT_EQ(*ReadFile(root + "/nimbus/cgroup.subtree_control"), "+memory +pids +cpu");
  Limits limits;
  limits.memory_mb = 256;
  limits.pids = 64;
  auto group = (*driver)->Create("i1", limits);
  ASSERT_TRUE(group.ok()) << group.status().ToString();
  EXPECT_EQ(*ReadFile(root + "/nimbus/s1/i1/memory.max"), std::to_string(256 << 20));
  EXPECT_EQ(*ReadFile(root + "/nimbus/s1/i1/memory.swap.max"), "0");
  EXPECT_EQ(*ReadFile(root + "/nimbus/s1/i1/pids.max"), "64");
  EXPECT_EQ(*ReadFile(root + "/nimbus/s1/i1/cpu.weight"), std::to_string(CpuWeightForMemory(256)));
  EXPECT_EQ((*group)->OomKills(), 2u);
  EXPECT_EQ((*group)->PeakMemoryBytes(), 12345u);
  // The counter is read afresh each time (the kernel rewrites it in place).
  {
    std::ofstream peak(root + "/nimbus/s1/i1/memory.peak", std::ios::trunc);
    peak << "67108864\n";
  }
  EXPECT_EQ((*group)->PeakMemoryBytes(), 67108864u);
  (*group)->Destroy().IgnoreError();  // the fake directory is not empty: rmdir fails
  EXPECT_EQ((*group)->PeakMemoryBytes(), 0u);
  std::filesystem::remove_all(root);
}

TEST(CgroupV2Test, RemovesTheGroupsOfServersThatAreGone) {
  std::string root =
      (std::filesystem::temp_directory_path() / ("nimbus-cg-" + RandomHex(8))).string();
  ASSERT_TRUE(MakeDirs(root + "/nimbus").ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/cgroup.controllers", "cpu memory pids\n").ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/cgroup.subtree_control", "").ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/nimbus/cgroup.subtree_control", "").ok());
  // A scope of a server killed outright, with an instance group left in it
  // (no process can have a pid above the kernel's limit of 2^22).
  std::string stale = root + "/nimbus/99999999-a1b2c3";
  ASSERT_TRUE(MakeDirs(stale + "/fn-1").ok());
  // A scope of a live server (this test's process), and names not of Nimbus's pattern.
  std::string live = root + "/nimbus/" + NewCgroupScope();
  ASSERT_TRUE(MakeDirs(live).ok());
  ASSERT_TRUE(MakeDirs(root + "/nimbus/inv-123456").ok());
  ASSERT_TRUE(MakeDirs(root + "/nimbus/s1").ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/nimbus/s1/cgroup.subtree_control", "").ok());

  auto driver = NewCgroupDriver(root, "s1");
  ASSERT_TRUE(driver.ok()) << driver.status().ToString();
  EXPECT_FALSE(PathExists(stale));
  EXPECT_TRUE(PathExists(live));
  EXPECT_TRUE(PathExists(root + "/nimbus/inv-123456"));
  std::filesystem::remove_all(root);
}

TEST(CgroupV2Test, NamesAMissingController) {
  std::string root =
      (std::filesystem::temp_directory_path() / ("nimbus-cg-" + RandomHex(8))).string();
  ASSERT_TRUE(MakeDirs(root).ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/cgroup.controllers", "cpu io\n").ok());
  auto driver = NewCgroupDriver(root, "s1");
  ASSERT_FALSE(driver.ok());
  EXPECT_NE(driver.status().message().find("'memory'"), std::string::npos);
  std::filesystem::remove_all(root);
}

TEST(CpuWeightTest, ProportionalToMemory) {
  EXPECT_EQ(CpuWeightForMemory(1769), 100u);
  EXPECT_EQ(CpuWeightForMemory(3538), 200u);
  EXPECT_EQ(CpuWeightForMemory(128), 7u);
  EXPECT_EQ(CpuWeightForMemory(1), 1u);
}

}  // namespace
}  // namespace nimbus::sandbox
