package org.waldur.agent.slurm;

/**
 * A SLURM allocation account Waldur does not know yet (protocol §5.10): its name (the backend_id), the name
 * Waldur shows (the account's description, else its name) and the slug of the Waldur project it belongs to
 * (its organization without project_prefix). Getters, because the YAML routes read them with simple expressions.
 */
public final class ImportableAccount {

    /** BackendResourceRequest.name has maxLength 150 in the Waldur schema. */
    static final int MAX_DISPLAY_NAME = 150;

    private final String name;
    private final String displayName;
    private final String projectSlug;

    public ImportableAccount(String name, String description, String projectSlug) {
        this.name = name;
        String display = description == null || description.isBlank() ? name : description.strip();
        int end = Math.min(display.length(), MAX_DISPLAY_NAME);
        if (end < display.length() && Character.isHighSurrogate(display.charAt(end - 1))) {
            end--;
        }
        this.displayName = display.substring(0, end);
        this.projectSlug = projectSlug;
    }

    public String getName() {
        return name;
    }

    public String getDisplayName() {
        return displayName;
    }

    public String getProjectSlug() {
        return projectSlug;
    }

    @Override
    public String toString() {
        return name + " (project " + projectSlug + ")";
    }
}
