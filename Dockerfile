# The platform image: the same `npm start` as on a laptop, configured by environment.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# The workspace packages' manifests, so `npm ci` can link them (their sources come with COPY . . below).
COPY protocol/package.json protocol/
COPY sdk/package.json sdk/
RUN npm ci --no-audit --no-fund
COPY . .
# The web chat page (/app), built once into the image (npm start would build it too).
RUN npm run build:web
ENV HOST=0.0.0.0 DATA_DIR=/data
EXPOSE 1883 8083 3000
CMD ["npm", "start"]
