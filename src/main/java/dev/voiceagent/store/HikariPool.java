package dev.voiceagent.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.jdbc.CloseableJdbcConnectionPool;

/**
 * The Helidon JDBC client's connection pool: a {@link HikariDataSource} for PostgreSQL, given to
 * {@code JdbcClientBuilder.connectionPool}. Building it opens one connection, so an unreachable database or wrong
 * credentials fail here ({@link com.zaxxer.hikari.pool.HikariPool.PoolInitializationException} with the driver's
 * {@link SQLException} as its cause).
 * <p>
 * Thread-safe; {@link #connection()} blocks up to the connection timeout and then throws. {@link #close()} closes
 * every connection (it waits for borrowed ones to come back, which the caller bounds).
 */
final class HikariPool implements CloseableJdbcConnectionPool {

    private final HikariDataSource dataSource;

    HikariPool(DatabaseUrl url, int maxSize, Duration connectionTimeout, Duration socketTimeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("voice-agent-db");
        config.setJdbcUrl(url.jdbcUrl());
        config.setUsername(url.username());
        config.setPassword(url.password());
        config.setMaximumPoolSize(maxSize);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(connectionTimeout.toMillis());
        config.setValidationTimeout(1000);
        // pgjdbc driver properties; a parameter given in the URL itself wins over these
        config.addDataSourceProperty("socketTimeout", Long.toString(socketTimeout.toSeconds()));
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("ApplicationName", "voice-agent");
        this.dataSource = new HikariDataSource(config);
    }

    @Override
    public Connection connection() {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw new DbClientException("no database connection: " + e.getMessage(), e);
        }
    }

    @Override
    public String dbType() {
        return "postgresql";
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
