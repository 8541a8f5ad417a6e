# A first version; it mirrors the install steps that CI proves (requirements.txt, then the package).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /srv
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY pyproject.toml README.md ./
COPY app app
COPY data data
COPY templates templates
RUN pip install --no-cache-dir setuptools==84.2.1 && pip install --no-cache-dir --no-deps --no-build-isolation -e . && useradd --system --home /srv mentordir && mkdir -p var && chown mentordir var
USER mentordir
EXPOSE 8000
CMD ["mentordir", "serve", "--host", "0.0.0.0", "--port", "8000"]
