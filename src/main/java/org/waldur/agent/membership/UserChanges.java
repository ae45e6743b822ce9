package org.waldur.agent.membership;

import java.util.List;

/** Usernames to add to and remove from one allocation account; getters for the YAML routes. */
public final class UserChanges {

    private final List<String> add;
    private final List<String> remove;

    public UserChanges(List<String> add, List<String> remove) {
        this.add = List.copyOf(add);
        this.remove = List.copyOf(remove);
    }

    public List<String> getAdd() {
        return add;
    }

    public List<String> getRemove() {
        return remove;
    }

    public boolean isEmpty() {
        return add.isEmpty() && remove.isEmpty();
    }

    @Override
    public String toString() {
        return "add " + add + ", remove " + remove;
    }
}
