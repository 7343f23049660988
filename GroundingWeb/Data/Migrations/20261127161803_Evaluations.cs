using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GroundingWeb.Data.Migrations
{
    /// <inheritdoc />
    public partial class Evaluations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Datasets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Path = table.Column<string>(type: "TEXT", nullable: false),
                    Format = table.Column<string>(type: "TEXT", nullable: false),
                    ImageFolder = table.Column<string>(type: "TEXT", nullable: true),
                    SplitCountsJson = table.Column<string>(type: "TEXT", nullable: false),
                    SkippedCount = table.Column<int>(type: "INTEGER", nullable: false),
                    RegisteredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RegisteredBy = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Datasets", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "EvaluationRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BundlePath = table.Column<string>(type: "TEXT", nullable: false),
                    ModelName = table.Column<string>(type: "TEXT", nullable: false),
                    ModelVersion = table.Column<string>(type: "TEXT", nullable: false),
                    DatasetId = table.Column<long>(type: "INTEGER", nullable: false),
                    Split = table.Column<string>(type: "TEXT", nullable: false),
                    Limit = table.Column<int>(type: "INTEGER", nullable: true),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    SamplesDone = table.Column<int>(type: "INTEGER", nullable: false),
                    SamplesTotal = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedBy = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    Count = table.Column<int>(type: "INTEGER", nullable: false),
                    MeanIou = table.Column<double>(type: "REAL", nullable: false),
                    AccuracyAt50 = table.Column<double>(type: "REAL", nullable: false),
                    AccuracyAt75 = table.Column<double>(type: "REAL", nullable: false),
                    CocoAp50 = table.Column<double>(type: "REAL", nullable: false),
                    CocoAp75 = table.Column<double>(type: "REAL", nullable: false),
                    FailedCount = table.Column<int>(type: "INTEGER", nullable: false),
                    Seconds = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvaluationRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EvaluationRuns_Datasets_DatasetId",
                        column: x => x.DatasetId,
                        principalTable: "Datasets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "EvaluationResults",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RunId = table.Column<long>(type: "INTEGER", nullable: false),
                    Row = table.Column<int>(type: "INTEGER", nullable: false),
                    ImagePath = table.Column<string>(type: "TEXT", nullable: false),
                    Expression = table.Column<string>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: true),
                    Category = table.Column<string>(type: "TEXT", nullable: true),
                    TruthX1 = table.Column<float>(type: "REAL", nullable: false),
                    TruthY1 = table.Column<float>(type: "REAL", nullable: false),
                    TruthX2 = table.Column<float>(type: "REAL", nullable: false),
                    TruthY2 = table.Column<float>(type: "REAL", nullable: false),
                    PredictedX1 = table.Column<float>(type: "REAL", nullable: false),
                    PredictedY1 = table.Column<float>(type: "REAL", nullable: false),
                    PredictedX2 = table.Column<float>(type: "REAL", nullable: false),
                    PredictedY2 = table.Column<float>(type: "REAL", nullable: false),
                    Iou = table.Column<float>(type: "REAL", nullable: false),
                    ImageWidth = table.Column<int>(type: "INTEGER", nullable: true),
                    ImageHeight = table.Column<int>(type: "INTEGER", nullable: true),
                    Failure = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvaluationResults", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EvaluationResults_EvaluationRuns_RunId",
                        column: x => x.RunId,
                        principalTable: "EvaluationRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Datasets_Name",
                table: "Datasets",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationResults_RunId_Iou",
                table: "EvaluationResults",
                columns: new[] { "RunId", "Iou" });

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationResults_RunId_Row",
                table: "EvaluationResults",
                columns: new[] { "RunId", "Row" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationRuns_DatasetId",
                table: "EvaluationRuns",
                column: "DatasetId");

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationRuns_Status",
                table: "EvaluationRuns",
                column: "Status");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EvaluationResults");

            migrationBuilder.DropTable(
                name: "EvaluationRuns");

            migrationBuilder.DropTable(
                name: "Datasets");
        }
    }
}
