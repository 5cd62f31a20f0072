FROM python:3.11-slim-bookworm
# pango for PDF rendering (WeasyPrint), CJK fonts so Chinese reports render real glyphs
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        libharfbuzz-subset0 fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY platform ./platform
RUN pip install --no-cache-dir ".[plugins]"
COPY config ./config
# plugins shipped with leadloom (enabled in config/app.yaml plugins.enabled)
COPY plugins ./plugins
# report templates: found as ../reports/templates from the config folder
COPY reports ./reports
ENV LEADLOOM_CONFIG_DIR=/app/config
EXPOSE 8080
CMD ["gunicorn", "--bind", "0.0.0.0:8080", "--workers", "2", "leadloom.web:create_live_app()"]
