# Two stages: a Go toolchain builds a static binary, a small Alpine image
# runs it (Alpine for busybox wget, which the compose healthcheck uses).

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Pure-Go SQLite: no cgo, so the binary runs on musl as it is.
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/bedstate ./backend/cmd/bedstate

FROM alpine:3.20
RUN addgroup -S bedstate && adduser -S -G bedstate -H -h /data bedstate \
	&& mkdir -p /data && chown bedstate:bedstate /data
COPY --from=build /out/bedstate /bedstate
USER bedstate
ENV PORT=8080 BEDSTATE_DATA_DIR=/data GOMEMLIMIT=120MiB
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/bedstate"]
CMD ["serve"]
