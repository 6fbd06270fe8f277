#include "watch/tree.h"

#include <functional>

namespace devwatch::watch {

Tree::Tree() : slots_(1024, kNoNode) {}

Tree::~Tree() {
  for (NodeId id = 0; id < next_fresh_; ++id) std::destroy_at(&(*this)[id]);
}

NodeId Tree::allocate() {
  NodeId id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
    (*this)[id] = Node{};
  } else {
    id = next_fresh_;
    if ((id >> kShift) >= chunks_.size()) {
      chunks_.emplace_back(std::allocator<Node>().allocate(kMask + 1));
    }
    std::construct_at(&(*this)[id]);
    ++next_fresh_;
  }
  Node& n = (*this)[id];
  n.live = true;
  ++live_;
  return id;
}

void Tree::release(NodeId id) {
  Node& n = (*this)[id];
  n.live = false;
  std::string().swap(n.name);
  n.first_child = n.next = n.prev = n.parent = kNoNode;
  free_.push_back(id);
  --live_;
}

NodeId Tree::add_root(std::string absolute_path) {
  NodeId id = allocate();
  (*this)[id].name = std::move(absolute_path);
  (*this)[id].kind = NodeKind::Dir;
  return id;
}

std::size_t Tree::hash(NodeId parent, std::string_view name) const {
  std::size_t h = std::hash<std::string_view>{}(name);
  return h ^ (static_cast<std::size_t>(parent) * 0x9E3779B97F4A7C15ull);
}

NodeId Tree::find(NodeId parent, std::string_view name) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash(parent, name) & mask;; i = (i + 1) & mask) {
    NodeId s = slots_[i];
    if (s == kNoNode) return kNoNode;
    if (s == kTomb) continue;
    const Node& n = (*this)[s];
    if (n.parent == parent && n.name == name) return s;
  }
}

void Tree::index_insert(NodeId id) {
  if ((used_slots_ + 1) * 2 > slots_.size()) index_grow();
  const Node& n = (*this)[id];
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash(n.parent, n.name) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == kNoNode) {
      slots_[i] = id;
      ++used_slots_;
      return;
    }
    if (slots_[i] == kTomb) {  // reuse: used_slots_ unchanged
      slots_[i] = id;
      return;
    }
  }
}

void Tree::index_erase(NodeId id) {
  const Node& n = (*this)[id];
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash(n.parent, n.name) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == kNoNode) return;
    if (slots_[i] == id) {
      slots_[i] = kTomb;
      return;
    }
  }
}

void Tree::index_grow() {
  std::size_t live_children = 0;
  for (NodeId s : slots_)
    if (s != kNoNode && s != kTomb) ++live_children;
  std::size_t cap = slots_.size();
  while ((live_children + 1) * 4 > cap) cap *= 2;  // reach <= 25% load after growth
  std::vector<NodeId> old(cap, kNoNode);
  old.swap(slots_);
  used_slots_ = 0;
  for (NodeId s : old)
    if (s != kNoNode && s != kTomb) index_insert(s);
}

void Tree::link(NodeId id, NodeId parent) {
  Node& n = (*this)[id];
  Node& p = (*this)[parent];
  n.parent = parent;
  n.prev = kNoNode;
  n.next = p.first_child;
  if (p.first_child != kNoNode) (*this)[p.first_child].prev = id;
  p.first_child = id;
  index_insert(id);
}

void Tree::unlink(NodeId id) {
  Node& n = (*this)[id];
  if (n.parent == kNoNode) return;
  index_erase(id);
  if (n.prev != kNoNode) (*this)[n.prev].next = n.next;
  else (*this)[n.parent].first_child = n.next;
  if (n.next != kNoNode) (*this)[n.next].prev = n.prev;
  n.prev = n.next = kNoNode;
  // parent kept so remove()'s visitor can still build the path.
}

NodeId Tree::add(NodeId parent, std::string_view name) {
  NodeId id = allocate();
  (*this)[id].name.assign(name);
  link(id, parent);
  return id;
}

void Tree::move(NodeId id, NodeId new_parent, std::string_view new_name) {
  unlink(id);
  (*this)[id].name.assign(new_name);
  link(id, new_parent);
}

NodeId Tree::root_of(NodeId id) const {
  while ((*this)[id].parent != kNoNode) id = (*this)[id].parent;
  return id;
}

void Tree::append_path(NodeId id, std::string& out) const {
  NodeId chain[256];  // only chain[0, depth) is read: not zeroed on this hot path
  std::size_t depth = 0;
  std::vector<NodeId> deep;
  for (NodeId n = id; n != kNoNode; n = (*this)[n].parent) {
    if (depth < 256) chain[depth++] = n;
    else deep.push_back(n);
  }
  for (auto it = deep.rbegin(); it != deep.rend(); ++it) {
    if (!out.empty() && out.back() != '/') out += '/';
    out += (*this)[*it].name;
  }
  for (std::size_t i = depth; i-- > 0;) {
    if (!out.empty() && out.back() != '/') out += '/';
    // cppcheck-suppress uninitvar ; i < depth, every such entry was written above
    out += (*this)[chain[i]].name;
  }
}

std::string Tree::path(NodeId id) const {
  std::string out;
  append_path(id, out);
  return out;
}

std::string Tree::relative_path(NodeId id) const {
  std::string full = path(id);
  const std::string& root = (*this)[root_of(id)].name;
  if (full.size() <= root.size()) return {};
  std::size_t skip = root.size();
  if (full[skip] == '/') ++skip;
  return full.substr(skip);
}

}  // namespace devwatch::watch
