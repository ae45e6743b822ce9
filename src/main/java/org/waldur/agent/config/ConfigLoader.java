package org.waldur.agent.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads the Python agent's YAML file format unchanged. YAML is parsed with snakeyaml-engine (already on
 * the classpath for the YAML DSL) and bound with Jackson, so a wrong type is reported with its path.
 */
public final class ConfigLoader {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    static {
        // "mqtt_enabled: yes-please" must be an error, not silently false
        MAPPER.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    }

    private ConfigLoader() {
    }

    public static AgentConfig load(Path file) {
        Object raw;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            raw = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromReader(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file.toAbsolutePath() + " does not exist (use -c <file>)");
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
        } catch (YamlEngineException e) {
            throw new ConfigException("configuration file " + file + " is not valid YAML: " + e.getMessage());
        }
        return bind(raw);
    }

    static AgentConfig bind(Object raw) {
        if (!(raw instanceof Map<?, ?> map)) {
            throw new ConfigException("the configuration file must be a YAML mapping with an 'offerings' list");
        }
        AgentConfig config;
        try {
            config = MAPPER.convertValue(map, AgentConfig.class);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(describe(map, e));
        }
        ConfigValidator.validate(config);
        return config;
    }

    /** Turns a Jackson binding error into "offering 'X': key: problem" without echoing values (a token could be one). */
    private static String describe(Map<?, ?> raw, IllegalArgumentException e) {
        if (!(e.getCause() instanceof JsonMappingException jme)) {
            return e.getMessage();
        }
        StringBuilder path = new StringBuilder();
        String offering = null;
        List<JsonMappingException.Reference> refs = jme.getPath();
        for (int i = 0; i < refs.size(); i++) {
            JsonMappingException.Reference ref = refs.get(i);
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
                if (i == 1 && "offerings".equals(refs.get(0).getFieldName())) {
                    offering = offeringLabel(raw, ref.getIndex());
                }
            }
        }
        String problem = jme.getOriginalMessage();
        int cut = problem.indexOf(" at [Source");
        if (cut > 0) {
            problem = problem.substring(0, cut);
        }
        String target = jme.getPath().isEmpty() ? "" : " (expected " + expected(jme) + ")";
        return (offering != null ? offering + ": " : "") + "key '" + path + "' has the wrong type" + target;
    }

    private static String expected(JsonMappingException jme) {
        if (jme instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mie && mie.getTargetType() != null) {
            Class<?> t = mie.getTargetType();
            if (t == Boolean.class || t == boolean.class) {
                return "true or false";
            }
            if (Number.class.isAssignableFrom(t) || t.isPrimitive()) {
                return "a number";
            }
            if (t == String.class) {
                return "a string";
            }
            if (List.class.isAssignableFrom(t)) {
                return "a list";
            }
            return "a mapping";
        }
        return "another type";
    }

    private static String offeringLabel(Map<?, ?> raw, int index) {
        if (raw.get("offerings") instanceof List<?> list && index < list.size() && list.get(index) instanceof Map<?, ?> o
                && o.get("name") != null) {
            return "offering '" + o.get("name") + "' (offerings[" + index + "])";
        }
        return "offerings[" + index + "]";
    }
}
