# The platform image: the same `npm start` as on a laptop, configured by environment.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV HOST=0.0.0.0 DATA_DIR=/data
EXPOSE 1883 8083 3000
CMD ["npm", "start"]
