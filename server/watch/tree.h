// The in-memory snapshot of watched trees: one compact node per entry
// (name component + parent/sibling links + lstat facts), stored in fixed-size
// chunks (no reallocation spikes) and found by (parent, name) through one
// open-addressing index of 32-bit ids. Paths are built on demand by walking
// parents, so a directory rename is one relink, not a rewrite of every path.
// Threading: not thread-safe; owned by the Watcher on the io_context thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "watch/backend.h"

namespace devwatch::watch {

using NodeId = std::uint32_t;
constexpr NodeId kNoNode = 0xFFFFFFFFu;

enum class NodeKind : std::uint8_t { File, Dir, Symlink, Other };

struct Node {
  std::string name;  // one component; a root holds its absolute path
  NodeId parent = kNoNode;
  NodeId first_child = kNoNode;
  NodeId next = kNoNode;
  NodeId prev = kNoNode;
  std::uint64_t ino = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t size = 0;
  WatchId wd = kNoWatch;
  std::uint32_t stat_gen = 0;  // Watcher's drain generation when lstat ran
  NodeKind kind = NodeKind::File;
  std::uint8_t flags = 0;      // Watcher-owned bits
  bool live = false;
};

class Tree {
 public:
  Tree();
  ~Tree();
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;
  NodeId add_root(std::string absolute_path);
  // The child named name, or kNoNode.
  NodeId find(NodeId parent, std::string_view name) const;
  // Adds a child that must not exist yet.
  NodeId add(NodeId parent, std::string_view name);
  // Unlinks and frees id and everything below it; visit(id) runs on each
  // node (parents before children) while it is still intact.
  template <class F>
  void remove(NodeId id, F&& visit);
  // Relinks id under new_parent as new_name (which must be free there).
  void move(NodeId id, NodeId new_parent, std::string_view new_name);

  Node& operator[](NodeId id) { return chunks_[id >> kShift][id & kMask]; }
  const Node& operator[](NodeId id) const { return chunks_[id >> kShift][id & kMask]; }

  NodeId root_of(NodeId id) const;
  void append_path(NodeId id, std::string& out) const;
  std::string path(NodeId id) const;
  // Path relative to its root ("" for the root itself).
  std::string relative_path(NodeId id) const;
  std::size_t size() const { return live_; }

  template <class F>
  void for_each_in_subtree(NodeId id, F&& visit) const;

 private:
  static constexpr unsigned kShift = 12;
  static constexpr NodeId kMask = (1u << kShift) - 1;
  static constexpr NodeId kTomb = 0xFFFFFFFEu;

  NodeId allocate();
  void release(NodeId id);
  void unlink(NodeId id);
  void link(NodeId id, NodeId parent);
  std::size_t hash(NodeId parent, std::string_view name) const;
  void index_insert(NodeId id);
  void index_erase(NodeId id);
  void index_grow();

  // A chunk is raw storage for kMask + 1 nodes; a node is constructed when
  // its id is first handed out, so a small project touches a page or two of
  // a chunk's 352 KiB instead of all of them (bench/reload/memory.py).
  struct ChunkFree {
    void operator()(Node* chunk) const { std::allocator<Node>().deallocate(chunk, kMask + 1); }
  };
  std::vector<std::unique_ptr<Node[], ChunkFree>> chunks_;
  std::vector<NodeId> free_;
  NodeId next_fresh_ = 0;
  std::size_t live_ = 0;
  std::vector<NodeId> slots_;  // kNoNode = empty, kTomb = deleted
  std::size_t used_slots_ = 0; // live + tombstones
};

template <class F>
void Tree::remove(NodeId id, F&& visit) {
  unlink(id);
  // Iterative (breadth-first) walk: deep trees must not overflow the stack.
  // Visit everything first: visitors build paths through the parent links.
  std::vector<NodeId> order{id};
  for (std::size_t i = 0; i < order.size(); ++i) {
    visit(order[i]);
    for (NodeId c = (*this)[order[i]].first_child; c != kNoNode; c = (*this)[c].next)
      order.push_back(c);
  }
  for (NodeId n : order) {
    if (n != id) index_erase(n);
    release(n);
  }
}

template <class F>
void Tree::for_each_in_subtree(NodeId id, F&& visit) const {
  std::vector<NodeId> stack{id};
  while (!stack.empty()) {
    NodeId n = stack.back();
    stack.pop_back();
    visit(n);
    for (NodeId c = (*this)[n].first_child; c != kNoNode; c = (*this)[c].next) stack.push_back(c);
  }
}

}  // namespace devwatch::watch
