package dev.felix.server.testing;

import dev.felix.server.config.GatewayConfig;
import dev.felix.server.config.Setting;
import dev.felix.server.config.Settings;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * A running gateway for a test class: a {@link TestGateway} in the class's {@code TestGateway}
 * field, started before and closed after. A static field holds one gateway for the whole class, an
 * instance field a fresh one for every test.
 *
 * <pre>{@code
 * @RunningGateway("max-listen-ids=5")
 * class ListenTest {
 *     private TestGateway gw;
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RunningGateway.Extension.class)
public @interface RunningGateway {
    /** Settings beyond the test defaults, as {@code felix.yml} writes them: {@code "ping-interval-ms=200"}. */
    String[] value() default {};

    final class Extension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
        @Override
        public void beforeAll(ExtensionContext context) throws IllegalAccessException {
            start(context, null, true);
        }

        @Override
        public void afterAll(ExtensionContext context) throws IllegalAccessException {
            stop(context, null, true);
        }

        @Override
        public void beforeEach(ExtensionContext context) throws IllegalAccessException {
            start(context, context.getRequiredTestInstance(), false);
        }

        @Override
        public void afterEach(ExtensionContext context) throws IllegalAccessException {
            stop(context, context.getRequiredTestInstance(), false);
        }

        private static void start(ExtensionContext context, Object instance, boolean statics)
                throws IllegalAccessException {
            String[] settings = context.getRequiredTestClass().getAnnotation(RunningGateway.class).value();
            for (Field field : fields(context, statics)) {
                field.set(instance, TestGateway.start(b -> {
                    for (String setting : settings) {
                        String[] keyValue = setting.split("=", 2);
                        set(b, Settings.named(keyValue[0]), keyValue[1]);
                    }
                    return b;
                }));
            }
        }

        private static <T> void set(GatewayConfig.Builder builder, Setting<T> setting,
                                    String text) {
            builder.set(setting, setting.parse(text));
        }

        private static void stop(ExtensionContext context, Object instance, boolean statics)
                throws IllegalAccessException {
            for (Field field : fields(context, statics)) {
                TestGateway gateway = (TestGateway) field.get(instance);
                if (gateway != null) {
                    field.set(instance, null);
                    gateway.close();
                }
            }
        }

        private static List<Field> fields(ExtensionContext context, boolean statics) {
            List<Field> found = new ArrayList<>();
            for (Field field : context.getRequiredTestClass().getDeclaredFields()) {
                if (field.getType() == TestGateway.class && Modifier.isStatic(field.getModifiers()) == statics) {
                    field.setAccessible(true);
                    found.add(field);
                }
            }
            return found;
        }
    }
}
