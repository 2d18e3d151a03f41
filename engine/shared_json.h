// engine/shared_json.h: SharedJson, a read-only JSON value shared without copying.
//
// ActivityCall hands every activity the workflow's input and the outputs of the steps so far.
// Copying them for each call (each look of a waiting deployment, a thousand a second on a busy
// node) cost a deep copy and its destruction per call, most of a look's own CPU. A SharedJson
// holds a shared_ptr to a value nobody changes while it is shared: the engine points it into
// its cached context (a checkpoint that finds the context shared copies it instead of taking
// it, transition.cc). Reads look like reads of a const json (contains, value, at, [], find);
// assigning a json (as tests do) makes a new shared value.
#pragma once

#include <memory>
#include <string>
#include <nlohmann/json.hpp>
#include <utility>

namespace slipway::engine {

class SharedJson {
 public:
  using json = nlohmann::json;
  SharedJson() : p_(Null()) {}
  explicit SharedJson(json value) : p_(std::make_shared<const json>(std::move(value))) {}
  explicit SharedJson(std::shared_ptr<const json> p) : p_(p ? std::move(p) : Null()) {}
  SharedJson& operator=(json value) {
    p_ = std::make_shared<const json>(std::move(value));
    return *this;
  }
  SharedJson& operator=(json::initializer_list_t init) { return *this = json(init); }

  const json& get() const { return *p_; }
  operator const json&() const { return *p_; }  // NOLINT: reads as the value it shares
  const json* operator->() const { return p_.get(); }
  const json& operator*() const { return *p_; }

  // The reads activities make, as on a const json.
  template <typename K>
  bool contains(K&& key) const {
    return p_->contains(std::forward<K>(key));
  }
  template <typename K>
  const json& operator[](K&& key) const {
    return (*p_)[std::forward<K>(key)];
  }
  template <typename K>
  const json& at(K&& key) const {
    return p_->at(std::forward<K>(key));
  }
  template <typename K, typename V>
  auto value(K&& key, V&& fallback) const {
    return p_->value(std::forward<K>(key), std::forward<V>(fallback));
  }
  template <typename K>
  json::const_iterator find(K&& key) const {
    return p_->find(std::forward<K>(key));
  }
  json::const_iterator begin() const { return p_->cbegin(); }
  json::const_iterator end() const { return p_->cend(); }
  bool is_object() const { return p_->is_object(); }
  bool is_null() const { return p_->is_null(); }
  std::string dump(int indent = -1) const { return p_->dump(indent); }

 private:
  static const std::shared_ptr<const json>& Null() {
    static const std::shared_ptr<const json> null = std::make_shared<const json>();
    return null;
  }
  std::shared_ptr<const json> p_;
};

}  // namespace slipway::engine
