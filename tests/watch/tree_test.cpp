#include "watch/tree.h"

#include <catch2/catch.hpp>

using namespace devwatch::watch;

TEST_CASE("tree builds paths from parent links and relinks on move", "[tree]") {
  Tree t;
  NodeId root = t.add_root("/ws");
  NodeId a = t.add(root, "a");
  NodeId b = t.add(a, "b");
  NodeId f = t.add(b, "f.txt");
  CHECK(t.path(f) == "/ws/a/b/f.txt");
  CHECK(t.relative_path(f) == "a/b/f.txt");
  CHECK(t.relative_path(root).empty());
  CHECK(t.find(a, "b") == b);
  CHECK(t.find(root, "b") == kNoNode);

  NodeId c = t.add(root, "c");
  t.move(b, c, "renamed");
  CHECK(t.path(f) == "/ws/c/renamed/f.txt");
  CHECK(t.find(a, "b") == kNoNode);
  CHECK(t.find(c, "renamed") == b);

  std::vector<std::string> removed;
  t.remove(c, [&](NodeId n) { removed.push_back(t.path(n)); });
  CHECK(removed == std::vector<std::string>{"/ws/c", "/ws/c/renamed", "/ws/c/renamed/f.txt"});
  CHECK(t.find(root, "c") == kNoNode);
  CHECK(t.size() == 2);
}

TEST_CASE("tree index survives many inserts and removals", "[tree]") {
  Tree t;
  NodeId root = t.add_root("/");
  std::vector<NodeId> ids;
  for (int i = 0; i < 20000; ++i) ids.push_back(t.add(root, "f" + std::to_string(i)));
  CHECK(t.path(ids[5]) == "/f5");
  for (int i = 0; i < 20000; i += 2) t.remove(ids[i], [](NodeId) {});
  for (int i = 0; i < 20000; ++i) {
    NodeId found = t.find(root, "f" + std::to_string(i));
    if (i % 2 == 0) CHECK(found == kNoNode);
    else CHECK(found == ids[i]);
  }
  for (int i = 0; i < 10000; ++i) t.add(root, "g" + std::to_string(i));
  CHECK(t.find(root, "g9999") != kNoNode);
  CHECK(t.size() == 20001);
}
