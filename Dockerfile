FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home petition && mkdir -p /app/staticfiles /app/media /app/private/exports \
    && chown -R petition /app && chmod 700 /app/private /app/private/exports
USER petition
EXPOSE 8000
