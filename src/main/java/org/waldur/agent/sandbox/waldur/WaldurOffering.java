package org.waldur.agent.sandbox.waldur;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A provider offering. Create with {@link FakeWaldur#newOffering(WaldurCustomer)}:
 *
 * <pre>{@code
 * WaldurOffering offering = waldur.newOffering(customer)
 *         .name("HPC")
 *         .component("cpu", "limit", 60000)
 *         .pluginOption("username_generation_policy", "service_provider")
 *         .create();
 * }</pre>
 *
 * @param uuid 32-char hex
 * @param name display name
 * @param type offering type, {@code Marketplace.Slurm} by default (what the site agent serves)
 * @param customerUuid the service provider's customer
 * @param components components, in order
 * @param pluginOptions {@code plugin_options}; keys must exist in the schema's MergedPluginOptions
 */
public record WaldurOffering(String uuid, String name, String type, String customerUuid,
        List<WaldurComponent> components, Map<String, Object> pluginOptions) {

    public WaldurOffering {
        components = FixtureMaps.copy(components);
        pluginOptions = FixtureMaps.copy(pluginOptions);
    }

    /** Mutable builder; {@link #create()} registers the offering with the fake that made it. */
    public static final class Builder {
        private final UnaryOperator<WaldurOffering> sink;
        private String uuid;
        private String name = "SLURM offering";
        private String type = "Marketplace.Slurm";
        private String customerUuid;
        private final List<WaldurComponent> components = new ArrayList<>();
        private final Map<String, Object> pluginOptions = new LinkedHashMap<>();

        Builder(String uuid, String customerUuid, UnaryOperator<WaldurOffering> sink) {
            this.uuid = uuid;
            this.customerUuid = customerUuid;
            this.sink = sink;
        }

        public Builder uuid(String uuid) {
            this.uuid = uuid;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder type(String type) {
            this.type = type;
            return this;
        }

        /** Adds a component with display name = type. */
        public Builder component(String type, String billingType, int unitFactor) {
            return component(WaldurComponent.of(type, billingType, unitFactor));
        }

        public Builder component(WaldurComponent component) {
            components.add(component);
            return this;
        }

        public Builder pluginOption(String key, Object value) {
            pluginOptions.put(key, value);
            return this;
        }

        public Builder pluginOptions(Map<String, ?> options) {
            pluginOptions.putAll(options);
            return this;
        }

        public WaldurOffering build() {
            return new WaldurOffering(uuid, name, type, customerUuid, components, pluginOptions);
        }

        /** Builds and registers the offering; returns what was stored. */
        public WaldurOffering create() {
            return sink.apply(build());
        }
    }
}
