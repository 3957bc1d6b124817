package dev.felix.server.testing;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A running PostgreSQL for a test class: a {@link TestPostgres} parameter of its constructor, test or
 * lifecycle methods. All the classes of a test run share one server, started when first asked for and
 * stopped when the run ends, so each test takes its own database with {@link TestPostgres#newDatabase()}.
 *
 * <pre>{@code
 * @RunningPostgres
 * class ChangeFeedTest {
 *     private String url;
 *
 *     @BeforeEach
 *     void newDatabase(TestPostgres postgres) {
 *         url = postgres.newDatabase();
 *     }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RunningPostgres.Extension.class)
public @interface RunningPostgres {
    final class Extension implements ParameterResolver {
        private static final ExtensionContext.Namespace NAMESPACE =
                ExtensionContext.Namespace.create(RunningPostgres.class);

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == TestPostgres.class;
        }

        @Override
        public TestPostgres resolveParameter(ParameterContext parameter, ExtensionContext context) {
            // The root store outlives every class and closes its AutoCloseable values when the run ends.
            return context.getRoot().getStore(NAMESPACE)
                    .getOrComputeIfAbsent(TestPostgres.class, key -> TestPostgres.start(), TestPostgres.class);
        }
    }
}
