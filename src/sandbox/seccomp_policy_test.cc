// The filter's lists: every name is a system call libseccomp knows on this
// architecture (a misspelt or missing name fails here, not silently at run
// time), no call is both allowed and denied, and the program fits the kernel's limit.
#include "sandbox/seccomp_policy.h"

#include <gtest/gtest.h>
#include <seccomp.h>

#include <set>
#include <string>

namespace nimbus::sandbox {
namespace {

TEST(SeccompPolicyTest, EveryListedNameResolves) {
  for (const auto* list : {&AllowedSyscalls(), &DeniedSyscalls()}) {
    for (const char* name : *list) {
      EXPECT_NE(seccomp_syscall_resolve_name(name), __NR_SCMP_ERROR) << name;
    }
  }
}

TEST(SeccompPolicyTest, ListsAreDisjointAndWithoutDuplicates) {
  std::set<std::string> allowed(AllowedSyscalls().begin(), AllowedSyscalls().end());
  EXPECT_EQ(allowed.size(), AllowedSyscalls().size());
  for (const char* name : DeniedSyscalls()) EXPECT_EQ(allowed.count(name), 0u) << name;
}

TEST(SeccompPolicyTest, RiskyCallsAreNotAllowed) {
  std::set<std::string> allowed(AllowedSyscalls().begin(), AllowedSyscalls().end());
  for (const char* name :
       {"socket", "socketpair", "clone", "clone3", "personality", "memfd_secret",
        "fanotify_init", "modify_ldt", "mbind", "set_mempolicy", "migrate_pages", "move_pages",
        "ptrace", "mount", "unshare", "setns", "bpf", "userfaultfd", "io_uring_setup",
        "perf_event_open", "keyctl", "process_vm_writev", "sync", "syncfs"}) {
    EXPECT_EQ(allowed.count(name), 0u) << name;
  }
}

TEST(SeccompPolicyTest, BuildsAProgram) {
  auto prog = BuildSeccompProgram();
  ASSERT_TRUE(prog.ok()) << prog.status().ToString();
  EXPECT_GT(prog->filter.size(), 0u);
  EXPECT_LE(prog->filter.size(), 4096u);  // BPF_MAXINSNS
}

}  // namespace
}  // namespace nimbus::sandbox
