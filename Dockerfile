# Multi-stage build of Flatness Lab. Debian-based images because ND4J's native libraries need
# glibc (they do not load on Alpine's musl).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre-jammy
# Fonts for JFreeChart's headless rendering.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fontconfig fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --home-dir /app flatnesslab
WORKDIR /app
COPY --from=build /src/target/flatness-lab-*.jar /app/flatness-lab.jar
COPY docker/entrypoint.sh /app/entrypoint.sh
RUN mkdir -p /app/data /app/datasets && chown -R flatnesslab /app
USER flatnesslab
VOLUME ["/app/data", "/app/datasets"]
EXPOSE 8080
ENV JAVA_OPTS="-XX:MaxRAMPercentage=40 -Djava.awt.headless=true"
ENTRYPOINT ["/app/entrypoint.sh"]
