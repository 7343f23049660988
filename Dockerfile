# GroundingWeb: multi-stage image. Build and publish with the .NET SDK, write the demo bundle's
# encoders from the restored NuGet packages, then run on NVIDIA's CUDA 13 + cuDNN 9 runtime
# (what ONNX Runtime 1.31's CUDA provider loads) with the ASP.NET Core 10 runtime copied in.
#
#   docker build -t groundingweb .
#   docker run --gpus all -p 8080:8080 -v groundingweb-data:/data groundingweb
#
# Without --gpus (or without an NVIDIA driver) the app runs on CPU and logs why.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish GroundingWeb/GroundingWeb.csproj -c Release -o /app
# Materialise the demo bundles' encoders (vision.onnx, text.onnx or text.int8.onnx, vocab.txt) and
# split fusion heads from the NuGet cache, which the runtime image does not have: one prediction
# through the CLI per bundle does it, checksums verified.
RUN dotnet run --project GroundingWeb.Cli -c Release -- predict --bundle models/demo \
        --image samples/chelsea.png --prompt "the cat" --provider cpu \
    && dotnet run --project GroundingWeb.Cli -c Release --no-build -- predict --bundle models/demo-int8 \
        --image samples/chelsea.png --prompt "the cat" --provider cpu \
    && cp -r models samples /app/

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS dotnet

FROM nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04 AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends libicu74 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=dotnet /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
    && useradd --system --uid 10001 --home-dir /app grounding \
    && mkdir /data && chown grounding /data
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    Data__Folder=/data \
    Inference__BundlePath=/app/models/demo \
    Models__Folder=/app/models \
    Samples__Path=/app/samples
VOLUME /data
EXPOSE 8080
USER grounding
# Ready once the model is warmed up and the database opens.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD curl -fsS http://localhost:8080/health || exit 1
ENTRYPOINT ["dotnet", "GroundingWeb.dll"]
